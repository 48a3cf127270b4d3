package io.convstate.cli;

import io.convstate.postgres.Layout;
import io.convstate.postgres.Schema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "schema", mixinStandardHelpOptions = true,
    description = "Print the SQL that creates the layout's tables (or drops them, with --drop). Connects to nothing.")
final class SchemaCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--layout", paramLabel = "LAYOUT",
      description = "turns (default: one row per turn) or conversation_states (the seed's table).")
  String layout = Layout.TURNS.optionValue();

  @Option(names = "--table", paramLabel = "NAME",
      description = "Table or schema.table (default: conversation_turns, or conversation_states for that layout).")
  String table;

  @Option(names = "--drop", description = "Print the script that drops the tables instead.")
  boolean drop;

  @Override
  public Integer call() {
    Layout chosen = Layout.fromOption(layout);
    String name = table == null ? chosen.defaultTable() : table;
    spec.commandLine().getOut().print(drop ? Schema.dropScript(chosen, name) : Schema.createScript(chosen, name));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
