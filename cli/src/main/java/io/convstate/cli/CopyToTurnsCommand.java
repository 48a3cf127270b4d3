package io.convstate.cli;

import io.convstate.postgres.PostgresAdmin;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "copy-to-turns", mixinStandardHelpOptions = true,
    description = {"Copy a seed table (layout conversation_states) into a turn-layout table, created when missing,",
        "in batches, each its own transaction; then check that every seed row reads the same from the turns.",
        "Resumable: run it again after a failure, or after the last write to the seed table; turns already",
        "copied are kept. Exit 0 when every row verified, 1 otherwise (the rows at fault are named).",
        "Example: convstate copy-to-turns --from conversation_states --to conversation_turns"})
final class CopyToTurnsCommand extends StoreCommand {

  @Option(names = "--from", paramLabel = "TABLE", description = "The seed table to copy (default: conversation_states).")
  String from = "conversation_states";

  @Option(names = "--to", paramLabel = "TABLE", description = "The turn-layout table to fill (default: conversation_turns).")
  String to = "conversation_turns";

  @Option(names = "--batch-size", paramLabel = "ROWS",
      description = "Seed rows per batch (default: 500; each row holds a whole history).")
  int batchSize = 500;

  /** The missing table here is the source, named by --from: nothing to create. */
  @Override
  String missingTableHint(String message) {
    String missing = MissingTable.named(message);
    return missing != null && !missing.equals(to)
        ? "\nCheck --from: it names the seed table to copy (default conversation_states)." : "";
  }

  @Override
  public Integer call() {
    PrintWriter out = out();
    PrintWriter err = err();
    try (PostgresAdmin admin = store.admin(environment(), "copy-to-turns")) {
      String[] phase = {null};
      PostgresAdmin.CopyReport report = admin.copyToTurns(from, to, batchSize, (name, rows) -> {
        if (phase[0] != null && !phase[0].equals(name)) {
          err.println();
        }
        phase[0] = name;
        err.print("\r" + name + ": " + Counts.of(rows, "seed row") + "...");
        err.flush();
      });
      if (phase[0] != null) {
        err.println();
      }
      out.printf("Copied %s into %s: %d seed rows (%d turn by turn, %d as one turn each); %d turns inserted,"
          + " %d already there.%n", from, to, report.seedRows(), report.rowsWithTurns(), report.rowsAsOneTurn(),
          report.turnsInserted(), report.turnsAlreadyThere());
      out.printf("Verified: %d of %d seed rows read the same from %s (%d missing, %d different).%n",
          report.rowsVerified(), report.seedRows(), to, report.rowsMissing(), report.rowsDifferent());
      if (report.verified()) {
        return 0;
      }
      report.problems().forEach(problem -> out.println("FAIL " + problem));
      out.println("Not every row verified: look at the rows above, then run copy-to-turns again.");
      return Main.CHECK_FAILED;
    }
  }
}
