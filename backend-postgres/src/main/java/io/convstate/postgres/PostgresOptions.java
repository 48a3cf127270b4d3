package io.convstate.postgres;

import io.convstate.ConfigurationException;
import io.convstate.StoreConfig;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The postgres store's options, read and checked from a {@link StoreConfig}. Immutable.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>connection_string</td><td>(required)</td><td>libpq URI or jdbc:postgresql: URL</td></tr>
 *   <tr><td>user, password</td><td>from the string</td><td>override the string's credentials</td></tr>
 *   <tr><td>layout</td><td>turns</td><td>{@code turns} (one row per turn) or {@code conversation_states}
 *       (the seed's whole-history rows); see {@link Layout}</td></tr>
 *   <tr><td>table</td><td>conversation_turns, or conversation_states for that layout</td><td>table or
 *       schema.table</td></tr>
 *   <tr><td>schema.create</td><td>false</td><td>create the table on open when it is missing</td></tr>
 *   <tr><td>access</td><td>read_write</td><td>{@code read_only}: the store only reads (pgjdbc {@code readOnly}); the
 *       open-time check then needs SELECT only, so a read-only role can use it</td></tr>
 *   <tr><td>pooler</td><td>session</td><td>{@code transaction} for PgBouncer / Supabase transaction mode</td></tr>
 *   <tr><td>pool.max_size</td><td>10</td><td>most connections</td></tr>
 *   <tr><td>pool.min_idle</td><td>pool.max_size</td><td>idle connections kept</td></tr>
 *   <tr><td>pool.connection_timeout</td><td>10s</td><td>wait for a connection before failing as unavailable</td></tr>
 *   <tr><td>pool.idle_timeout</td><td>10m</td><td>close connections idle this long (above min_idle)</td></tr>
 *   <tr><td>pool.max_lifetime</td><td>30m</td><td>replace connections this old</td></tr>
 *   <tr><td>socket_timeout</td><td>40s (or the URI's {@code socketTimeout})</td><td>longest wait for any reply from the
 *       server (pgjdbc {@code socketTimeout}); a dead or black-holed connection fails the call as unavailable after
 *       it. {@code 0} waits forever (not recommended). Keep it above statement_timeout</td></tr>
 *   <tr><td>statement_timeout</td><td>30s</td><td>longest a statement may run on the server before it is cancelled
 *       (SQLState 57014, unavailable). Session pooling: the startup parameter {@code -c statement_timeout}; with
 *       {@code pooler=transaction} (PgBouncer refuses startup options) pgjdbc's {@code queryTimeout}, a cancel
 *       request the pooler forwards. {@code 0}: no limit</td></tr>
 *   <tr><td>retention</td><td>(off)</td><td>delete conversations inactive for this long, in the background</td></tr>
 *   <tr><td>cleanup.interval</td><td>1h</td><td>how often the background cleanup runs</td></tr>
 *   <tr><td>cleanup.batch_size</td><td>1000</td><td>conversations (seed layout: rows) per cleanup transaction</td></tr>
 *   <tr><td>notify.connection_string</td><td>connection_string</td><td>a direct (not transaction-pooled) server URL
 *       for the LISTEN connection of cross-instance cache invalidation; needed with {@code pooler=transaction}
 *       and with a host DataSource, else near caches fall back to expiry</td></tr>
 * </table>
 */
final class PostgresOptions {

  static final String CONNECTION_STRING = "connection_string";
  static final String USER = "user";
  static final String PASSWORD = "password";
  static final String LAYOUT = "layout";
  static final String TABLE = "table";
  static final String SCHEMA_CREATE = "schema.create";
  static final String POOLER = "pooler";
  static final String ACCESS = "access";
  static final String POOL_MAX_SIZE = "pool.max_size";
  static final String POOL_MIN_IDLE = "pool.min_idle";
  static final String POOL_CONNECTION_TIMEOUT = "pool.connection_timeout";
  static final String POOL_IDLE_TIMEOUT = "pool.idle_timeout";
  static final String POOL_MAX_LIFETIME = "pool.max_lifetime";
  static final String SOCKET_TIMEOUT = "socket_timeout";
  static final String STATEMENT_TIMEOUT = "statement_timeout";
  static final String RETENTION = "retention";
  static final String CLEANUP_INTERVAL = "cleanup.interval";
  static final String CLEANUP_BATCH_SIZE = "cleanup.batch_size";
  static final String NOTIFY_CONNECTION_STRING = "notify.connection_string";

  static final Set<String> KEYS = Set.of(
      CONNECTION_STRING, USER, PASSWORD, LAYOUT, TABLE, SCHEMA_CREATE, POOLER, ACCESS, POOL_MAX_SIZE, POOL_MIN_IDLE,
      POOL_CONNECTION_TIMEOUT, POOL_IDLE_TIMEOUT, POOL_MAX_LIFETIME, SOCKET_TIMEOUT, STATEMENT_TIMEOUT, RETENTION, CLEANUP_INTERVAL, CLEANUP_BATCH_SIZE,
      NOTIFY_CONNECTION_STRING);

  static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(40);
  static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);

  final ConnectionSettings connection;
  final Layout layout;
  final TableName table;
  final boolean createSchema;
  final boolean transactionPooler;
  /** Option access=read_only: the connections are marked read-only and the open check needs SELECT only. */
  final boolean readOnly;
  final int maxPoolSize;
  final int minIdle;
  final Duration connectionTimeout;
  final Duration idleTimeout;
  final Duration maxLifetime;
  /** Zero: no limit. */
  final Duration socketTimeout;
  /** Zero: no limit. */
  final Duration statementTimeout;
  final Duration retention;
  final Duration cleanupInterval;
  final int cleanupBatchSize;
  final long maxItemsBytes;
  /** A direct (not transaction-pooled) server for LISTEN; null to use {@link #connection}. */
  final ConnectionSettings notifyConnection;

  PostgresOptions(StoreConfig config) {
    this(config, false);
  }

  /**
   * The options of a store on a host's DataSource: without connection, pool or timeout options
   * ({@link #connection} is null), which are the DataSource's.
   *
   * @throws ConfigurationException naming an option that belongs to the DataSource
   */
  static PostgresOptions forDataSource(StoreConfig config) {
    for (String key : DATA_SOURCE_KEYS) {
      if (config.get(key).isPresent()) {
        throw new ConfigurationException("Option '" + key + "' does not apply to a store on the host's DataSource:"
            + " configure connections, pooling and timeouts on the DataSource itself, and leave it out");
      }
    }
    return new PostgresOptions(config, true);
  }

  /** What a host's DataSource decides instead of the store. */
  static final Set<String> DATA_SOURCE_KEYS = Set.of(CONNECTION_STRING, USER, PASSWORD, POOLER, POOL_MAX_SIZE, POOL_MIN_IDLE,
      POOL_CONNECTION_TIMEOUT, POOL_IDLE_TIMEOUT, POOL_MAX_LIFETIME, SOCKET_TIMEOUT, STATEMENT_TIMEOUT);

  private PostgresOptions(StoreConfig config, boolean hostDataSource) {
    String access = config.get(ACCESS).orElse("read_write").strip().toLowerCase(Locale.ROOT);
    if (!access.equals("read_write") && !access.equals("read_only")) {
      throw new ConfigurationException("Option 'access' is '" + access + "'; expected read_write or read_only");
    }
    readOnly = access.equals("read_only");
    ConnectionSettings parsed = hostDataSource ? null : ConnectionSettings.parse(
        config.require(CONNECTION_STRING), config.get(USER).orElse(null), config.get(PASSWORD).orElse(null));
    // pgjdbc's readOnly marks the connections, which the open-time check reads (Schema.check).
    connection = parsed != null && readOnly ? parsed.withProperty("readOnly", "true") : parsed;
    layout = Layout.fromOption(config.get(LAYOUT).orElse(Layout.TURNS.optionValue()));
    table = TableName.parse(config.get(TABLE).orElse(layout.defaultTable()));
    if (layout == Layout.TURNS) {
      table.withSuffix("conversations"); // fails here, naming the option, when the name is too long
    }
    createSchema = config.booleanValue(SCHEMA_CREATE, false);
    String pooler = config.get(POOLER).orElse("session").strip().toLowerCase(Locale.ROOT);
    if (!pooler.equals("session") && !pooler.equals("transaction")) {
      throw new ConfigurationException("Option 'pooler' is '" + pooler + "'; expected session or transaction");
    }
    transactionPooler = pooler.equals("transaction");
    maxPoolSize = config.intValue(POOL_MAX_SIZE, 10, 1, 1_000);
    minIdle = config.intValue(POOL_MIN_IDLE, maxPoolSize, 0, maxPoolSize);
    connectionTimeout = atLeast(config, POOL_CONNECTION_TIMEOUT, Duration.ofSeconds(10), Duration.ofMillis(250));
    idleTimeout = atLeast(config, POOL_IDLE_TIMEOUT, Duration.ofMinutes(10), Duration.ofSeconds(10));
    maxLifetime = atLeast(config, POOL_MAX_LIFETIME, Duration.ofMinutes(30), Duration.ofSeconds(30));
    socketTimeout = timeout(config, SOCKET_TIMEOUT, connection == null ? DEFAULT_SOCKET_TIMEOUT : connection.socketTimeout().orElse(DEFAULT_SOCKET_TIMEOUT));
    statementTimeout = timeout(config, STATEMENT_TIMEOUT, DEFAULT_STATEMENT_TIMEOUT);
    retention = config.duration(RETENTION, null);
    if (retention != null && retention.isZero()) {
      throw new ConfigurationException("Option 'retention' must be longer than zero; leave it out to keep conversations until deleted");
    }
    cleanupInterval = atLeast(config, CLEANUP_INTERVAL, Duration.ofHours(1), Duration.ofSeconds(1));
    cleanupBatchSize = config.intValue(CLEANUP_BATCH_SIZE, 1_000, 1, 1_000_000);
    maxItemsBytes = config.maxItemsBytes();
    notifyConnection = config.get(NOTIFY_CONNECTION_STRING).map(value -> ConnectionSettings.parse(
        value, config.get(USER).orElse(null), config.get(PASSWORD).orElse(null))).orElse(null);
  }

  /** A timeout of whole seconds at most a day, or zero for none (pgjdbc counts socket and query timeouts in seconds). */
  private static Duration timeout(StoreConfig config, String key, Duration defaultValue) {
    Duration value = config.get(key).map(String::strip).filter("0"::equals).isPresent()
        ? Duration.ZERO
        : config.duration(key, defaultValue);
    if (value.isNegative() || value.compareTo(Duration.ofDays(1)) > 0) {
      throw new ConfigurationException("Option '" + key + "' is " + value + "; it must be from 0 (no limit) to 1d");
    }
    if (!value.isZero() && value.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigurationException("Option '" + key + "' is " + value + "; it must be at least 1s, or 0 for no limit");
    }
    return value;
  }

  private static Duration atLeast(StoreConfig config, String key, Duration defaultValue, Duration minimum) {
    Duration value = config.duration(key, defaultValue);
    if (value.compareTo(minimum) < 0) {
      throw new ConfigurationException("Option '" + key + "' is " + value + "; it must be at least " + minimum);
    }
    return value;
  }
}
