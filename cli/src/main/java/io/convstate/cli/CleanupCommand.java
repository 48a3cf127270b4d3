package io.convstate.cli;

import io.convstate.ConfigurationException;
import io.convstate.Durations;
import io.convstate.StateStore;
import io.convstate.postgres.PostgresAdmin;
import io.convstate.spi.BatchedCleanup;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "cleanup", mixinStandardHelpOptions = true,
    description = {"Delete every conversation with no activity for a while (its last turn recorded before the cutoff),",
        "with all its turns, in short batches (safe to run from several nodes at once).",
        "Continuing a conversation keeps all its turns alive. Example: convstate cleanup --older-than 7d"})
final class CleanupCommand extends StoreCommand {

  /** Cutoffs closer than this to now delete conversations that may still be in use: they need --yes. */
  static final Duration CONFIRM_UNDER = Duration.ofHours(1);

  @Option(names = "--older-than", required = true, paramLabel = "DURATION",
      description = "Delete conversations inactive for longer than this: 12h, 7d, 30d, PT36H (under 1h needs --yes).")
  String olderThan;

  @Option(names = "--dry-run", description = "Only count the turns that would be deleted (postgres).")
  boolean dryRun;

  @Option(names = "--yes", description = "Confirm an --older-than under one hour, which deletes conversations that may still be in use.")
  boolean yes;

  @Override
  public Integer call() {
    Duration age = Durations.parse(olderThan);
    if (age.compareTo(CONFIRM_UNDER) < 0 && !dryRun && !yes) {
      throw new ConfigurationException("--older-than " + olderThan + " is under one hour: it deletes conversations that"
          + " may still be in use. Add --yes to confirm, or --dry-run to count them first.");
    }
    Instant cutoff = Instant.now().minus(age);
    PrintWriter out = out();
    if (dryRun) {
      try (PostgresAdmin admin = store.admin(environment(), "cleanup --dry-run")) {
        out.println("Would delete " + Counts.of(admin.countInactiveBefore(cutoff), "turn") + " of conversations inactive since "
            + cutoff + " from " + admin.description());
      }
      return 0;
    }
    try (StateStore states = store.open(environment(), "cleanup")) {
      long deleted;
      if (states instanceof BatchedCleanup) {
        PrintWriter err = err();
        deleted = ((BatchedCleanup) states).deleteInactiveBefore(cutoff,
            total -> {
              err.print("\rdeleted " + Counts.of(total, "turn") + "...");
              err.flush();
            });
        err.println();
      } else {
        deleted = states.deleteInactiveBefore(cutoff);
      }
      out.println("Deleted " + Counts.of(deleted, "turn") + " of conversations inactive since " + cutoff + " from " + states);
    }
    return 0;
  }
}
