package io.convstate.cli;

import io.convstate.Durations;
import io.convstate.StateStore;
import io.convstate.postgres.PostgresAdmin;
import io.convstate.postgres.PostgresStateStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "cleanup", mixinStandardHelpOptions = true,
    description = {"Delete states not updated for a while, in short batches (safe to run from several nodes).",
        "Example: convstate cleanup --older-than 7d"})
final class CleanupCommand extends StoreCommand {

  @Option(names = "--older-than", required = true, paramLabel = "DURATION",
      description = "Delete states whose updated_at is older than this: 12h, 7d, 30d, PT36H.")
  String olderThan;

  @Option(names = "--dry-run", description = "Only count what would be deleted (postgres).")
  boolean dryRun;

  @Override
  public Integer call() {
    Duration age = Durations.parse(olderThan);
    Instant cutoff = Instant.now().minus(age);
    PrintWriter out = out();
    if (dryRun) {
      try (PostgresAdmin admin = store.admin(environment(), "cleanup --dry-run")) {
        out.println("Would delete " + admin.countUpdatedBefore(cutoff) + " states updated before " + cutoff + " from "
            + admin.description());
      }
      return 0;
    }
    try (StateStore states = store.open(environment())) {
      PrintWriter err = err();
      long deleted = states instanceof PostgresStateStore
          ? ((PostgresStateStore) states).deleteUpdatedBefore(cutoff, total -> err.printf("\rdeleted %,d states...", total).flush())
          : states.deleteUpdatedBefore(cutoff);
      if (states instanceof PostgresStateStore) {
        err.println();
      }
      out.println("Deleted " + deleted + " states updated before " + cutoff + " from " + states);
    }
    return 0;
  }
}
