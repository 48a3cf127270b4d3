package io.convstate.cli;

import io.convstate.postgres.Schema;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "schema", mixinStandardHelpOptions = true,
    description = "Print the SQL that creates the table (or drops it, with --drop). Connects to nothing.")
final class SchemaCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--table", paramLabel = "NAME", description = "Table or schema.table (default: conversation_states).")
  String table = "conversation_states";

  @Option(names = "--drop", description = "Print the script that drops the table instead.")
  boolean drop;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(drop ? Schema.dropScript(table) : Schema.createScript(table));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
