package io.convstate.cli;

import io.convstate.ConfigurationException;
import io.convstate.StateStoreProviders;
import io.convstate.StoreConfig;
import io.convstate.postgres.Layout;
import io.convstate.spi.StateStoreProvider;
import io.convstate.spi.StoreInspection;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** A subcommand that works on the configured store: the store options, the streams, the environment. */
abstract class StoreCommand implements Callable<Integer> {

  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Mixin
  StoreOptions store;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  Map<String, String> environment() {
    return main.environment;
  }

  /**
   * Opens the configured store's inspection (its delegate's, for a cached store).
   *
   * @throws ConfigurationException when nothing is configured, or the backend offers no inspection
   */
  StoreInspection inspection(String command) {
    StoreConfig config = store.requireConfigured(environment(), command);
    StateStoreProviders providers = StateStoreProviders.load();
    StateStoreProvider provider = providers.require(config.type());
    return provider.inspect(config.requireKnownKeys(provider.optionKeys(config)), providers)
        .orElseThrow(() -> new ConfigurationException("'" + command + "' works on a store whose backend can be"
            + " inspected (postgres, redis), and the configured store is '" + config.type() + "': give"
            + " --connection-string, --config, CONVSTATE_CONNECTION_STRING or DATABASE_URL"));
  }

  /**
   * When {@code message} says a table does not exist: a line naming the commands that create the
   * configured table under its own name (the shipped .sql files create only the default names);
   * otherwise empty. Commands whose missing table is not the store's (copy-to-turns' source)
   * override it.
   */
  String missingTableHint(String message) {
    if (MissingTable.named(message) == null) {
      return "";
    }
    try {
      StoreConfig config = store.config(environment());
      Layout layout = Layout.fromOption(config.get("layout").orElse(Layout.TURNS.optionValue()));
      return "\nTo create table " + config.get("table").orElse(layout.defaultTable()) + ": " + createTables();
    } catch (RuntimeException e) {
      return "";
    }
  }

  /**
   * How to create the configured table (and its companion) under its own name: the shipped .sql
   * files create only the default names, so this names migrate and schema with --table and --layout.
   */
  String createTables() {
    StoreConfig config = store.config(environment());
    Layout layout = Layout.fromOption(config.get("layout").orElse(Layout.TURNS.optionValue()));
    String table = config.get("table").orElse(layout.defaultTable());
    String options = " --table " + table + " --layout " + layout.optionValue();
    return "convstate migrate" + options + " (with the same store options); or, for psql, its SQL: convstate schema"
        + options;
  }
}
