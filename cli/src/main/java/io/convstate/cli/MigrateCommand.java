package io.convstate.cli;

import io.convstate.postgres.PostgresAdmin;
import picocli.CommandLine.Command;

@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Create the tables and indexes of the layout if missing (--layout turns, the default, or",
        "conversation_states), or complete an existing seed table with the columns convstate 0.2 needs.",
        "Safe to run any number of times."})
final class MigrateCommand extends StoreCommand {

  @Override
  public Integer call() {
    try (PostgresAdmin admin = store.admin(environment(), "migrate")) {
      boolean created = admin.migrate();
      out().println((created ? "Created the layout's tables and indexes (they were missing) for " : "Already there, completed and indexes checked: ") + admin.description());
      return 0;
    }
  }
}
