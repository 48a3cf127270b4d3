package io.convstate.cli;

import io.convstate.postgres.PostgresAdmin;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = {"Create the tables and indexes of the layout if missing (--layout turns, the default, or",
        "conversation_states), or complete an existing seed table with the columns convstate 0.2 needs.",
        "Safe to run any number of times. Exit 1 when the tables exist with columns of the wrong type",
        "(convstate verify prints the fixes)."})
final class MigrateCommand extends StoreCommand {

  @Override
  public Integer call() {
    try (PostgresAdmin admin = store.admin(environment(), "migrate")) {
      boolean created = admin.migrate();
      List<PostgresAdmin.Finding> wrong = admin.wrongTypes();
      if (!wrong.isEmpty()) {
        PrintWriter err = err();
        err.println("convstate: the tables of " + admin.description() + " exist, but " + wrong.size() + " column"
            + (wrong.size() == 1 ? " has" : "s have") + " the wrong type, which migrate does not change:");
        wrong.forEach(finding -> err.println("  " + finding.problem()));
        err.println("Run convstate verify with the same options: it prints the ALTER TABLE that fixes each, keeping the rows.");
        return Main.CHECK_FAILED;
      }
      out().println((created ? "Created the layout's tables and indexes (they were missing) for " : "Already there, completed and indexes checked: ") + admin.description());
      return 0;
    }
  }
}
