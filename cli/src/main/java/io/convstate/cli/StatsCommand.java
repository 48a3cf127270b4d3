package io.convstate.cli;

import io.convstate.StoreConfig;
import io.convstate.postgres.PostgresAdmin;
import io.convstate.redis.RedisAdmin;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Command;

@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"Postgres: how many turns and conversations the tables hold, their size, the oldest and newest turn,",
        "and counts per provider and model. Redis: the conversations of the prefix, their oldest and newest activity,",
        "and each server's role, memory, policy, AOF and keys."})
final class StatsCommand extends StoreCommand {

  @Override
  public Integer call() {
    return onPostgresOrRedis("stats", this::postgres, this::redis);
  }

  private int postgres(StoreConfig config) {
    PrintWriter out = out();
    try (PostgresAdmin admin = StoreOptions.postgresAdmin(config)) {
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

  private int redis(StoreConfig config) {
    PrintWriter out = out();
    try (RedisAdmin admin = StoreOptions.redisAdmin(config)) {
      RedisAdmin.Summary summary = admin.summary();
      out.println(admin.description());
      out.printf("conversations:  %d%s%n", summary.conversations,
          admin.prefixExists() ? "" : " (no store under this prefix yet: check option prefix, -o prefix=... or CONVSTATE_PREFIX)");
      out.println("oldest:         " + (summary.oldestActivity == null ? "-" : summary.oldestActivity) + " (last activity)");
      out.println("newest:         " + (summary.newestActivity == null ? "-" : summary.newestActivity));
      out.println("servers:");
      summary.servers.forEach((address, server) -> out.println(server.error != null
          ? String.format("  %-22s did not answer: %s", address, server.error)
          : String.format("  %-22s %-7s memory %s of %s, policy %s, aof %s, %d keys", address, server.role,
              server.usedMemory, server.maxMemory.equals("0B") ? "no limit" : server.maxMemory, server.policy,
              server.aof ? "on" : "off", server.keys)));
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
