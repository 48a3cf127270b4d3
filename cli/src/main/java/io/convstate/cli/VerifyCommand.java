package io.convstate.cli;

import io.convstate.spi.StoreInspection;
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
    PrintWriter out = out();
    try (StoreInspection inspection = inspection("verify")) {
      List<? extends StoreInspection.Finding> findings = inspection.verify();
      out.println("Verifying " + inspection.description());
      if (findings.isEmpty()) {
        out.println("OK: " + inspection.checks() + " are as convstate needs them.");
        return 0;
      }
      for (StoreInspection.Finding finding : findings) {
        out.println("FAIL " + finding.problem());
        out.println("     fix: " + (MissingTable.named(finding.problem()) != null ? createTables() : finding.fix()));
      }
      out.println(findings.size() + " problem" + (findings.size() == 1 ? "" : "s") + " found.");
      return Main.CHECK_FAILED;
    }
  }
}
