package io.convstate.cli;

import io.convstate.spi.StoreInspection;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

@Command(name = "stats", mixinStandardHelpOptions = true,
    description = {"What the store holds. Postgres: turns and conversations, table size, oldest and newest turn,",
        "counts per provider and model. Redis: the prefix's conversations, their oldest and newest activity,",
        "and each server's role, memory, policy, AOF and keys."})
final class StatsCommand extends StoreCommand {

  @Override
  public Integer call() {
    PrintWriter out = out();
    try (StoreInspection inspection = inspection("stats")) {
      out.println(inspection.description());
      inspection.stats().forEach(out::println);
      return 0;
    }
  }
}
