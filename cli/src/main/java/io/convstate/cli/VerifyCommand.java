package io.convstate.cli;

import io.convstate.postgres.PostgresAdmin;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check the layout's tables, their columns, types, keys, indexes and the role's privileges.",
        "Each problem is printed with its fix. Exit 0 when all is well, 1 otherwise."})
final class VerifyCommand extends StoreCommand {

  @Override
  public Integer call() {
    PrintWriter out = out();
    try (PostgresAdmin admin = store.admin(environment(), "verify")) {
      List<PostgresAdmin.Finding> findings = admin.verify();
      out.println("Verifying " + admin.description());
      if (findings.isEmpty()) {
        out.println("OK: tables, columns, types, primary keys, indexes and privileges are as convstate needs them.");
        return 0;
      }
      for (PostgresAdmin.Finding finding : findings) {
        out.println("FAIL " + finding.problem());
        out.println("     fix: " + (MissingTable.named(finding.problem()) != null ? createTables() : finding.fix()));
      }
      out.println(findings.size() + " problem" + (findings.size() == 1 ? "" : "s") + " found.");
      return Main.CHECK_FAILED;
    }
  }
}
