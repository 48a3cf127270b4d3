package io.convstate.cli;

import io.convstate.ConfigurationException;
import io.convstate.StateStore;
import io.convstate.StateStoreProviders;
import io.convstate.StateStores;
import io.convstate.StoreConfig;
import io.convstate.postgres.PostgresAdmin;
import io.convstate.postgres.PostgresStateStoreProvider;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Option;

/**
 * Which store a command uses. Each key is taken from the first of: a flag, the properties file of
 * {@code --config}, and the environment as the library reads it ({@link StoreConfig#fromEnvironment}:
 * {@code CONVSTATE_*} variables, {@code DATABASE_URL} standing in for the connection string when the
 * type is postgres or not given, the type inferred from the connection string's scheme).
 *
 * <p>Data commands refuse to run when none of these names a store ({@link #requireConfigured});
 * only {@code demo} and {@code serve} fall back to the embedded memory store.
 */
final class StoreOptions {

  @Option(names = "--config", paramLabel = "FILE", description = "Properties file of store options (type, connection_string, table, ...).")
  Path configFile;

  @Option(names = "--type", paramLabel = "TYPE",
      description = "Store type: postgres, memory, cached or redis (default: from the connection string's scheme).")
  String type;

  @Option(names = {"-c", "--connection-string"}, paramLabel = "URI",
      description = "postgresql://user:password@host:5432/db, jdbc:postgresql:... or redis://host:6379 (default: $CONVSTATE_CONNECTION_STRING,"
          + " then $DATABASE_URL). $VAR references are resolved.")
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
   * The effective configuration, layered: the environment (the library's rule), then the --config
   * file, then flags. A type given by the file or a flag takes part in the library's rule as
   * {@code CONVSTATE_TYPE} would, so {@code DATABASE_URL} is only the connection string of a
   * postgres store (or of one whose type is not given). $VAR references are resolved from
   * {@code environment}.
   *
   * @throws ConfigurationException when the --config file is missing or unreadable, or a value
   *     refers to a variable that is not set
   */
  StoreConfig config(Map<String, String> environment) {
    Map<String, String> fromFile = new LinkedHashMap<>();
    if (configFile != null) {
      Properties properties = new Properties();
      try (Reader reader = Files.newBufferedReader(configFile)) {
        properties.load(reader);
      } catch (NoSuchFileException e) {
        throw new ConfigurationException("--config " + configFile + ": file not found");
      } catch (IOException e) {
        throw new ConfigurationException("--config " + configFile + ": cannot read it (" + e + ")");
      }
      properties.stringPropertyNames().forEach(name -> fromFile.put(name, properties.getProperty(name)));
    }
    Map<String, String> fromFlags = new LinkedHashMap<>(options);
    if (connectionString != null) {
      fromFlags.put(StoreConfig.CONNECTION_STRING, connectionString);
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
    StoreConfig given = StoreConfig.of(fromFile, environment).overriddenBy(StoreConfig.of(fromFlags, environment));
    Map<String, String> rulesEnvironment = environment;
    if (given.keys().contains(StoreConfig.TYPE)) {
      rulesEnvironment = new HashMap<>(environment);
      rulesEnvironment.put(StoreConfig.ENVIRONMENT_PREFIX + "TYPE", given.type());
    }
    return StoreConfig.fromEnvironment(rulesEnvironment).overriddenBy(given);
  }

  /**
   * The configuration, when it names a store: a type or a connection string from any source.
   *
   * @throws ConfigurationException saying the three ways to configure a store (and naming any
   *     variable that looks like a misspelt one) when nothing names a store
   */
  StoreConfig requireConfigured(Map<String, String> environment, String command) {
    StoreConfig config = config(environment);
    if (isConfigured(config)) {
      return config;
    }
    throw new ConfigurationException("'" + command + "' needs a store, and none is configured"
        + Hints.misspeltVariables(environment, knownKeys()) + ". Configure it in one of three ways:\n"
        + "  flags:        --type postgres -c 'postgresql://user:****@host:5432/db' (--table, --layout, -o key=value)\n"
        + "  a file:       --config convstate.properties (lines such as connection_string=postgresql://..., table=...)\n"
        + "  environment:  CONVSTATE_CONNECTION_STRING (or DATABASE_URL), CONVSTATE_TYPE, CONVSTATE_TABLE, ...\n"
        + "(--type memory names the embedded in-process store, which starts empty.)");
  }

  /** True when some source names the store: a type or a connection string. */
  static boolean isConfigured(StoreConfig config) {
    return config.keys().contains(StoreConfig.TYPE) || config.keys().contains(StoreConfig.CONNECTION_STRING);
  }

  /** Opens the configured store, refusing to run unconfigured (see {@link #requireConfigured}). */
  StateStore open(Map<String, String> environment, String command) {
    return StateStores.open(requireConfigured(environment, command));
  }

  /**
   * Opens the configured store for a command that only reads: a postgres store (also as a cached
   * store's delegate) is opened with {@code access=read_only} unless the configuration sets access,
   * so a role with SELECT only can use it.
   */
  StateStore openToRead(Map<String, String> environment, String command) {
    StoreConfig config = requireConfigured(environment, command);
    boolean postgres = config.type().equals(PostgresStateStoreProvider.TYPE)
        || (config.type().equals("cached") && config.get("cache.delegate").orElse("").equals(PostgresStateStoreProvider.TYPE));
    if (postgres && config.get("access").isEmpty()) {
      config = config.overriddenBy(StoreConfig.of(Map.of("access", "read_only")));
    }
    return StateStores.open(config);
  }

  /** Opens the configured store, or the embedded memory store when nothing names one (demo and serve). */
  StateStore openOrMemory(Map<String, String> environment) {
    return StateStores.open(config(environment));
  }

  /**
   * The line demo and serve print first when nothing names a store: that they run on the embedded
   * memory store, how to choose another, and any variable that looks like a misspelt one; null
   * when a store is configured.
   */
  String memoryNotice(Map<String, String> environment) {
    if (isConfigured(config(environment))) {
      return null;
    }
    return "No store configured: using the embedded memory store (empty at start, lost at exit)"
        + Hints.misspeltVariables(environment, knownKeys())
        + ". Choose another with --type/-c, --config FILE, or CONVSTATE_* variables (or DATABASE_URL).";
  }

  /**
   * Connects to the configured PostgreSQL table (the delegate's, for a cached store).
   *
   * @throws ConfigurationException when nothing is configured, the type is unknown (suggesting
   *     the closest), or the store is not postgres
   */
  PostgresAdmin admin(Map<String, String> environment, String command) {
    StoreConfig config = requireConfigured(environment, command);
    StateStoreProviders.load().require(config.type());
    if (config.type().equals("cached")) {
      String delegate = config.get("cache.delegate").orElse("");
      config = config.forDelegate(delegate, "cache.");
      if (!delegate.isEmpty()) {
        StateStoreProviders.load().require(delegate);
      }
    }
    if (!config.type().equals(PostgresStateStoreProvider.TYPE)) {
      throw new ConfigurationException("'" + command + "' works on a postgres table, and the configured store is '"
          + config.type() + "': give --connection-string, --config, CONVSTATE_CONNECTION_STRING or DATABASE_URL");
    }
    return PostgresAdmin.connect(config.requireKnownKeys(new PostgresStateStoreProvider().optionKeys()));
  }

  private static Set<String> knownKeys() {
    Set<String> keys = new TreeSet<>(StoreConfig.COMMON_KEYS);
    StateStoreProviders providers = StateStoreProviders.load();
    for (String each : providers.types()) {
      keys.addAll(providers.require(each).optionKeys());
    }
    return keys;
  }
}
