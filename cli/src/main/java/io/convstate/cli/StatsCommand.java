package io.convstate.cli;

import io.convstate.postgres.PostgresAdmin;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Print how many turns and conversations the tables hold, their size, the oldest and newest turn,",
        "and counts per provider and model."})
final class StatsCommand extends StoreCommand {

  @Override
  public Integer call() {
    PrintWriter out = out();
    try (PostgresAdmin admin = store.admin(environment(), "stats")) {
      PostgresAdmin.Summary summary = admin.summary();
      out.println(admin.description());
      out.printf("turns:          %d (%d of them deleted, kept for the histories that continue them)%n", summary.turns,
          summary.deleted);
      out.printf("conversations:  %d%n", summary.conversations);
      out.printf("items size:     %s (stored, after compression)%n", bytes(summary.itemsBytes));
      out.printf("table size:     %s (with indexes and TOAST)%n", bytes(summary.tableBytes));
      out.println("oldest:         " + (summary.oldest == null ? "-" : summary.oldest) + " (recorded)");
      out.println("newest:         " + (summary.newest == null ? "-" : summary.newest));
      print(out, "per provider:", summary.byProvider);
      print(out, "per model:", summary.byModel);
      return 0;
    }
  }

  private static void print(PrintWriter out, String heading, Map<String, Long> counts) {
    out.println(heading);
    counts.forEach((name, count) -> out.printf("  %-30s %d%n", name, count));
  }

  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
    return String.format(java.util.Locale.ROOT, "%.1f %siB", bytes / (double) (1L << (unit * 10)), "KMGTPE".charAt(unit - 1));
  }
}
