package io.convstate.cli;

import io.convstate.postgres.PostgresAdmin;
import picocli.CommandLine.Command;

@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Create the table and its indexes if missing. Safe to run any number of times.")
final class MigrateCommand extends StoreCommand {

  @Override
  public Integer call() {
    try (PostgresAdmin admin = store.admin(environment(), "migrate")) {
      boolean created = admin.migrate();
      out().println((created ? "Created " : "Already there, indexes checked: ") + admin.description());
      return 0;
    }
  }
}
