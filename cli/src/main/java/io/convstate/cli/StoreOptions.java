package io.convstate.cli;

import io.convstate.ConfigurationException;
import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.StoreConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Which store a command uses. Each key is taken from the first of: a flag, the properties file of
 * {@code --config}, a {@code CONVSTATE_*} variable, and {@code DATABASE_URL} (which alone selects
 * the postgres type). With none of them, the embedded memory store.
 */
final class StoreOptions {

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file of store options (type, connection_string, table, ...).")
  Path configFile;

  @Option(names = "--type", paramLabel = "TYPE", description = "Store type: memory or postgres (default: memory, or postgres when DATABASE_URL is set).")
  String type;

  @Option(names = {"-c", "--connection-string"}, paramLabel = "URI",
      description = "postgresql://user:password@host:5432/db or jdbc:postgresql:... (default: $DATABASE_URL). $VAR references are resolved.")
  String connectionString;

  @Option(names = "--table", paramLabel = "NAME", description = "Table or schema.table (default: conversation_states).")
  String table;

  @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", description = "Any other store option, e.g. -o pool.max_size=4.")
  Map<String, String> options = new LinkedHashMap<>();

  /**
   * The effective configuration, layered: DATABASE_URL, then CONVSTATE_* variables, then the
   * --config file, then flags. $VAR references are resolved from {@code environment}.
   */
  StoreConfig config(Map<String, String> environment) {
    Map<String, String> fromDatabaseUrl = new LinkedHashMap<>();
    String databaseUrl = environment.get("DATABASE_URL");
    if (databaseUrl != null && !databaseUrl.isBlank()) {
      fromDatabaseUrl.put(StoreConfig.TYPE, "postgres");
      fromDatabaseUrl.put("connection_string", databaseUrl);
    }
    Map<String, String> fromFile = new LinkedHashMap<>();
    if (configFile != null) {
      Properties properties = new Properties();
      try (Reader reader = Files.newBufferedReader(configFile)) {
        properties.load(reader);
      } catch (IOException e) {
        throw new ConfigurationException("Cannot read --config " + configFile + ": " + e.getMessage());
      }
      properties.stringPropertyNames().forEach(name -> fromFile.put(name, properties.getProperty(name)));
    }
    Map<String, String> fromFlags = new LinkedHashMap<>(options);
    if (connectionString != null) {
      fromFlags.put("connection_string", connectionString);
      if (type == null) {
        fromFlags.put(StoreConfig.TYPE, "postgres");
      }
    }
    if (table != null) {
      fromFlags.put("table", table);
    }
    if (type != null) {
      fromFlags.put(StoreConfig.TYPE, type);
    }
    return StoreConfig.of(fromDatabaseUrl, environment)
        .overriddenBy(StoreConfig.fromEnvironment(environment))
        .overriddenBy(StoreConfig.of(fromFile, environment))
        .overriddenBy(StoreConfig.of(fromFlags, environment));
  }

  /** Opens the configured store. */
  StateStore open(Map<String, String> environment) {
    return StateStores.open(config(environment));
  }
}
