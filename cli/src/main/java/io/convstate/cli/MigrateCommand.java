package io.convstate.cli;

import io.convstate.postgres.PostgresAdmin;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "migrate", mixinStandardHelpOptions = true,
    description = "Create the table and its indexes if missing. Safe to run any number of times.")
final class MigrateCommand implements Callable<Integer> {

  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Mixin
  StoreOptions store;

  @Override
  public Integer call() {
    try (PostgresAdmin admin = store.admin(main.environment, "migrate")) {
      boolean created = admin.migrate();
      spec.commandLine().getOut().println((created ? "Created " : "Already there, indexes checked: ") + admin.description());
      return 0;
    }
  }
}
