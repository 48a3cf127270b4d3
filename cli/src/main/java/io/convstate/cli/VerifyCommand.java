package io.convstate.cli;

import io.convstate.StoreConfig;
import io.convstate.postgres.PostgresAdmin;
import io.convstate.redis.RedisAdmin;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Postgres: check the layout's tables, their columns, types, keys, indexes and the role's privileges.",
        "Redis: check each server's eviction policy, AOF and replicas, the cluster's state and the user's reads.",
        "Each problem is printed with its fix. Exit 0 when all is well, 1 otherwise."})
final class VerifyCommand extends StoreCommand {

  @Override
  public Integer call() {
    return onPostgresOrRedis("verify", this::postgres, this::redis);
  }

  private int postgres(StoreConfig config) {
    PrintWriter out = out();
    try (PostgresAdmin admin = StoreOptions.postgresAdmin(config)) {
      List<PostgresAdmin.Finding> findings = admin.verify();
      out.println("Verifying " + admin.description());
      if (findings.isEmpty()) {
        out.println("OK: tables, columns, types, primary keys, indexes and privileges are as convstate needs them.");
        return 0;
      }
      for (PostgresAdmin.Finding finding : findings) {
        print(out, finding.problem(), MissingTable.named(finding.problem()) != null ? createTables() : finding.fix());
      }
      return summarise(out, findings.size());
    }
  }

  private int redis(StoreConfig config) {
    PrintWriter out = out();
    try (RedisAdmin admin = StoreOptions.redisAdmin(config)) {
      List<RedisAdmin.Finding> findings = admin.verify();
      out.println("Verifying " + admin.description());
      if (!admin.prefixExists()) {
        out.println("(no store under this prefix yet: the first one opened records it)");
      }
      if (findings.isEmpty()) {
        out.println("OK: eviction policy, persistence, replicas, cluster state and the user's reads are as convstate"
            + " needs them.");
        return 0;
      }
      findings.forEach(finding -> print(out, finding.problem(), finding.fix()));
      return summarise(out, findings.size());
    }
  }

  private static void print(PrintWriter out, String problem, String fix) {
    out.println("FAIL " + problem);
    out.println("     fix: " + fix);
  }

  private static int summarise(PrintWriter out, int problems) {
    out.println(problems + " problem" + (problems == 1 ? "" : "s") + " found.");
    return Main.CHECK_FAILED;
  }
}
