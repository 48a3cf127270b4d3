package io.convstate.cli;

import io.convstate.ConfigurationException;
import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.StoreConfig;
import io.convstate.postgres.PostgresAdmin;
import io.convstate.postgres.PostgresStateStoreProvider;
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

  @Option(names = "--table", paramLabel = "NAME",
      description = "Table or schema.table (default: conversation_turns, or conversation_states with --layout conversation_states).")
  String table;

  @Option(names = "--layout", paramLabel = "LAYOUT",
      description = "Postgres table layout: turns (default: one row per turn) or conversation_states (the seed's table: one whole history per row).")
  String layout;

  @Option(names = {"-o", "--option"}, paramLabel = "KEY=VALUE", description = "Any other store option, e.g. -o pool.max_size=4.")
  Map<String, String> options = new LinkedHashMap<>();

  /**
   * The effective configuration, layered: CONVSTATE_* variables, then the --config file, then
   * flags. DATABASE_URL is the connection string when none is given and the type is postgres (or
   * not given, which then means postgres). $VAR references are resolved from {@code environment}.
   */
  StoreConfig config(Map<String, String> environment) {
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
    }
    if (table != null) {
      fromFlags.put("table", table);
    }
    if (layout != null) {
      fromFlags.put("layout", layout);
    }
    if (type != null) {
      fromFlags.put(StoreConfig.TYPE, type);
    }
    StoreConfig config = StoreConfig.fromEnvironment(environment)
        .overriddenBy(StoreConfig.of(fromFile, environment))
        .overriddenBy(StoreConfig.of(fromFlags, environment));
    boolean typeGiven = config.get(StoreConfig.TYPE).isPresent();
    String databaseUrl = environment.getOrDefault("DATABASE_URL", "");
    Map<String, String> defaults = new LinkedHashMap<>();
    if (!typeGiven && (config.get("connection_string").isPresent() || !databaseUrl.isBlank())) {
      defaults.put(StoreConfig.TYPE, "postgres");
    }
    String effectiveType = typeGiven ? config.type() : defaults.getOrDefault(StoreConfig.TYPE, StoreConfig.DEFAULT_TYPE);
    boolean postgres = effectiveType.equals("postgres")
        || (effectiveType.equals("cached") && config.get("cache.delegate").orElse("").equals("postgres"));
    if (postgres && config.get("connection_string").isEmpty() && !databaseUrl.isBlank()) {
      defaults.put("connection_string", databaseUrl);
    }
    return defaults.isEmpty() ? config : StoreConfig.of(defaults, environment).overriddenBy(config);
  }

  /** Opens the configured store. */
  StateStore open(Map<String, String> environment) {
    return StateStores.open(config(environment));
  }

  /**
   * Connects to the configured PostgreSQL table (the delegate's, for a cached store).
   *
   * @throws ConfigurationException naming the command when the store is not postgres
   */
  PostgresAdmin admin(Map<String, String> environment, String command) {
    StoreConfig config = config(environment);
    if (config.type().equals("cached")) {
      config = config.forDelegate(config.get("cache.delegate").orElse(""), "cache.");
    }
    if (!config.type().equals(PostgresStateStoreProvider.TYPE)) {
      throw new ConfigurationException("'" + command + "' works on a postgres table, and the configured store is '"
          + config.type() + "': give --connection-string, --config, CONVSTATE_CONNECTION_STRING or DATABASE_URL");
    }
    return PostgresAdmin.connect(config.requireKnownKeys(new PostgresStateStoreProvider().optionKeys()));
  }
}
