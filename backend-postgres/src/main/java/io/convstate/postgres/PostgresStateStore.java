package io.convstate.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.convstate.ConfigurationException;
import io.convstate.History;
import io.convstate.InvalidInputException;
import io.convstate.ResponseConflictException;
import io.convstate.StateNotFoundException;
import io.convstate.StateStore;
import io.convstate.StoreClosedException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.Validation;
import io.convstate.spi.BatchedCleanup;
import io.convstate.spi.Invalidation;
import io.convstate.spi.InvalidationSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StateStore} on PostgreSQL (type {@code postgres}), through a HikariCP pool and pgjdbc.
 * Works with self-hosted PostgreSQL, Supabase (direct, session and transaction pooler) and
 * PgBouncer ({@code pooler=transaction}).
 *
 * <p>Two table layouts ({@link Layout}, option {@code layout}): {@code turns} (the default), one
 * row per turn, where recording writes only the new turn and a history of any length is read with
 * one statement; and {@code conversation_states}, the seed's table of whole histories, kept for
 * existing deployments and for tables other tools share. Both answer every operation the same way.
 *
 * <p>{@code recorded_at} (and a conversation's activity) is written from the store's clock as UTC
 * wall-clock time in {@code TIMESTAMP} columns, so it and cleanup are right whatever the JVM's and
 * the server's time zones. Items and metadata are kept as {@code jsonb}: values are exact, but key
 * order and white space are PostgreSQL's. What PostgreSQL cannot keep exactly (the {@code \u0000}
 * escape, unpaired surrogates in items, metadata, ids, the owner, model or provider) is refused with
 * {@link InvalidInputException} naming the field before anything is sent.
 *
 * <p>Deleting a response marks it deleted (a tombstone): it reads as absent and its id stays taken,
 * while the histories that continue it keep it.
 *
 * <p>Every call is bounded: {@code socket_timeout} (default 40 s) for any reply from the server,
 * {@code statement_timeout} (30 s) for a statement, {@code pool.connection_timeout} (10 s) for a
 * connection; past them it fails as {@link io.convstate.StorageUnavailableException}. Errors are
 * typed for a host's retry decision: see {@link SqlErrors}. The password never appears in a
 * message, {@code toString} or exception, however the connection string is written.
 *
 * <p><b>Cross-instance invalidation</b> ({@link InvalidationSource}): a delete or a cleanup that
 * removed something sends a {@code NOTIFY} on channel {@code convstate:<table>} right after it
 * committed; a near cache subscribed on another instance hears it on a dedicated connection that
 * {@code LISTEN}s directly on the server (not through the pool, and never through a transaction
 * pooler: with {@code pooler=transaction} or a host DataSource, set {@code notify.connection_string}
 * to a direct URL, else it logs once that caches fall back to their expiry).
 *
 * <p>Thread-safe. Every call takes a pooled connection for one statement in autocommit mode
 * (cleanup: one short transaction per batch), so nothing depends on session state and a restarted
 * server is used again as soon as it is back.
 */
public final class PostgresStateStore implements StateStore, BatchedCleanup, InvalidationSource {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresStateStore.class);
  /** Makes pool names (and so their JMX and metric names) unique in the JVM, whatever the tables. */
  private static final java.util.concurrent.atomic.AtomicLong POOL_NUMBERS = new java.util.concurrent.atomic.AtomicLong();

  private final javax.sql.DataSource dataSource;
  /** The pool the store started and closes; null when the host brought its own DataSource. */
  private final HikariDataSource ownPool;
  private final Clock clock;
  private final PostgresOptions options;
  private final SqlErrors errors;
  private final TableLayout layout;
  private final ScheduledExecutorService cleaner;
  private final NotifyChannel notifications;
  private volatile boolean closed;

  /**
   * Opens a store: checks the tables (creating them when {@code schema.create} is set) and the
   * role's privileges on one direct connection, starts the pool, and starts the background cleanup
   * when {@code retention} is set.
   *
   * @param config the options of {@link PostgresStateStoreProvider}
   * @param clock the source of every {@code recorded_at} and of the background cleanup's cutoff
   * @throws ConfigurationException for a bad option, a failed authentication, a missing database,
   *     an unknown host, an SSL mismatch, a missing table, a table of the other layout, a seed table
   *     that needs {@code convstate migrate}, or a missing privilege: a retry cannot help
   * @throws io.convstate.StorageUnavailableException when the server cannot be reached
   */
  public PostgresStateStore(StoreConfig config, Clock clock) {
    this(new PostgresOptions(config), clock, null);
  }

  PostgresStateStore(PostgresOptions options, Clock clock) {
    this(options, clock, null);
  }

  /**
   * Opens a store on a {@link javax.sql.DataSource} the host owns (its own pool, metrics and
   * timeouts): the store checks the tables as on any open, takes a connection per call and returns
   * it, and {@link #close()} leaves the DataSource open. The connections must be in autocommit mode
   * when handed out (every pool's default). {@code connection_string}, {@code user}, {@code password},
   * {@code pool.*}, {@code pooler}, {@code socket_timeout} and {@code statement_timeout} are the
   * DataSource's business and refused here; set the driver's {@code socketTimeout} and a statement
   * timeout on it.
   *
   * @param dataSource the host's DataSource; not null
   * @param config the store's other options ({@code table}, {@code layout}, {@code schema.create},
   *     {@code retention}, ...); may be empty
   * @param clock as for the other constructor
   * @throws ConfigurationException for a refused or bad option or a table problem, as on any open
   * @throws io.convstate.StorageUnavailableException when the DataSource cannot give a connection
   */
  public static PostgresStateStore withDataSource(javax.sql.DataSource dataSource, StoreConfig config, Clock clock) {
    Objects.requireNonNull(dataSource, "dataSource");
    return new PostgresStateStore(PostgresOptions.forDataSource(config), clock, dataSource);
  }

  private PostgresStateStore(PostgresOptions options, Clock clock, javax.sql.DataSource hostDataSource) {
    this.options = options;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.errors = new SqlErrors(options.connection, options.layout, options.table);
    this.layout = options.layout == Layout.TURNS ? new TurnTable(options.table) : new SeedTable(options.table);
    if (hostDataSource != null) {
      ownPool = null;
      dataSource = hostDataSource;
      try (Connection connection = hostDataSource.getConnection()) {
        Schema.check(connection, options.layout, options.table, options.createSchema);
      } catch (SQLException e) {
        throw errors.translateOpen(e);
      }
    } else {
      HikariConfig config = hikariConfig(options);
      // The check runs on a connection of its own, so a wrong password, a missing database or an
      // unknown host fails at once with its own error, not after the pool's connection timeout.
      try (Connection connection = directConnection(config)) {
        Schema.check(connection, options.layout, options.table, options.createSchema);
      } catch (SQLException e) {
        throw errors.translateOpen(e);
      }
      ownPool = new HikariDataSource(config);
      dataSource = ownPool;
    }
    notifications = notifyChannel(options, hostDataSource != null);
    cleaner = options.retention == null ? null : startCleaner();
  }

  private static NotifyChannel notifyChannel(PostgresOptions options, boolean hostDataSource) {
    if (options.notifyConnection != null) {
      return new NotifyChannel(options.table, options.notifyConnection, null);
    }
    if (hostDataSource) {
      return new NotifyChannel(options.table, null, "a host DataSource and no notify.connection_string");
    }
    if (options.transactionPooler) {
      return new NotifyChannel(options.table, null,
          "pooler=transaction cannot carry LISTEN; set notify.connection_string to a direct server URL");
    }
    return new NotifyChannel(options.table, options.connection, null);
  }

  private static Connection directConnection(HikariConfig config) throws SQLException {
    Properties properties = new Properties();
    properties.putAll(config.getDataSourceProperties());
    if (config.getUsername() != null) {
      properties.setProperty("user", config.getUsername());
    }
    if (config.getPassword() != null) {
      properties.setProperty("password", config.getPassword());
    }
    Connection connection = new org.postgresql.Driver().connect(config.getJdbcUrl(), properties);
    if (connection == null) {
      throw new SQLException("pgjdbc did not accept the URL");
    }
    return connection;
  }

  private static HikariConfig hikariConfig(PostgresOptions options) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("convstate-" + options.table + "-" + POOL_NUMBERS.incrementAndGet());
    hikari.setDriverClassName("org.postgresql.Driver");
    hikari.setJdbcUrl(options.connection.jdbcUrl());
    hikari.setUsername(options.connection.user());
    hikari.setPassword(options.connection.password());
    Properties properties = options.connection.properties();
    properties.putIfAbsent("ApplicationName", "convstate");
    properties.setProperty("tcpKeepAlive", "true");
    if (options.transactionPooler) {
      // PgBouncer and Supabase's transaction pooler hand each transaction to any server
      // connection: named server-side prepared statements would not be found there.
      properties.setProperty("prepareThreshold", "0");
    }
    properties.putAll(timeoutProperties(options, properties.getProperty("options")));
    hikari.setDataSourceProperties(properties);
    hikari.setMaximumPoolSize(options.maxPoolSize);
    hikari.setMinimumIdle(options.minIdle);
    hikari.setConnectionTimeout(options.connectionTimeout.toMillis());
    hikari.setIdleTimeout(options.idleTimeout.toMillis());
    hikari.setMaxLifetime(options.maxLifetime.toMillis());
    // Start without a connection: the table check right after reports an unreachable server
    // through the same error translation as every other call.
    hikari.setInitializationFailTimeout(-1);
    return hikari;
  }

  /**
   * pgjdbc properties that bound every call: {@code socketTimeout} (a read that gets no reply) and
   * the statement timeout -- server-side through the startup {@code options} when connections are
   * the store's own, or pgjdbc's {@code queryTimeout} (a cancel request, which PgBouncer forwards)
   * behind a transaction pooler, since PgBouncer refuses startup options and a {@code SET} would
   * stay on a server connection other clients then get.
   *
   * @param startupOptions the connection string's {@code options}, or null; a statement_timeout
   *     there is kept
   */
  static Properties timeoutProperties(PostgresOptions options, String startupOptions) {
    Properties properties = new Properties();
    properties.setProperty("socketTimeout", String.valueOf(seconds(options.socketTimeout)));
    if (options.statementTimeout.isZero()) {
      return properties;
    }
    if (options.transactionPooler) {
      properties.setProperty("queryTimeout", String.valueOf(seconds(options.statementTimeout)));
    } else if (startupOptions == null || !startupOptions.contains("statement_timeout")) {
      String timeout = "-c statement_timeout=" + options.statementTimeout.toMillis();
      properties.setProperty("options", startupOptions == null || startupOptions.isBlank() ? timeout : startupOptions + " " + timeout);
    }
    return properties;
  }

  /** Whole seconds, rounded up (pgjdbc's unit). */
  private static long seconds(java.time.Duration duration) {
    return (duration.toMillis() + 999) / 1000;
  }

  private ScheduledExecutorService startCleaner() {
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "convstate-postgres-cleanup");
      thread.setDaemon(true);
      return thread;
    });
    long interval = options.cleanupInterval.toMillis();
    executor.scheduleWithFixedDelay(this::cleanUpInBackground, interval, interval, TimeUnit.MILLISECONDS);
    return executor;
  }

  private void cleanUpInBackground() {
    try {
      long deleted = deleteInactiveBefore(clock.instant().minus(options.retention));
      LOG.info("Deleted {} turns of conversations inactive for {}", deleted, options.retention);
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.warn("Background cleanup of {} failed; it runs again in {}: {}", options.table, options.cleanupInterval, e.getMessage());
      }
    }
  }

  /** The layout this store uses. */
  public Layout layout() {
    return options.layout;
  }

  @Override
  public Turn record(Turn turn) {
    checkOpen();
    requireKeepable(Validation.requireRecordable(turn, options.maxItemsBytes));
    LocalDateTime now = now();
    try (Connection connection = dataSource.getConnection()) {
      // A second attempt only when the id was taken and its turn then removed by a cleanup.
      for (int attempt = 1; ; attempt++) {
        TableLayout.RecordOutcome outcome = layout.record(connection, turn, now);
        if (outcome.conversationCreatedAt() != null) {
          return stored(turn, outcome.conversationCreatedAt(), now);
        }
        if (!outcome.previousFound() || !(outcome.taken() || outcome.activityFound())) {
          throw new StateNotFoundException(turn.previousResponseId().orElseThrow());
        }
        Optional<TableLayout.StoredRecord> stored = layout.sameRecord(connection, turn);
        if (stored.isPresent() && stored.get().same()) {
          return stored(turn, stored.get().conversationCreatedAt(), stored.get().recordedAt());
        }
        if (stored.isPresent() || attempt == 2) {
          throw new ResponseConflictException(turn.responseId());
        }
      }
    } catch (SQLException e) {
      throw failure("record", e);
    }
  }

  /** Checks sizes and what PostgreSQL could not keep exactly (NUL escapes, unpaired surrogates); reads nothing. */
  @Override
  public void checkRecordable(Turn turn) {
    checkOpen();
    requireKeepable(Validation.requireRecordable(turn, options.maxItemsBytes));
  }

  /** The recorded turn: the caller's fields (equal as jsonb to the stored ones) and the store's. */
  private static Turn stored(Turn turn, long conversationCreatedAt, LocalDateTime recordedAt) {
    return turn.toBuilder()
        .conversationCreatedAt(conversationCreatedAt)
        .recordedAt(recordedAt.toInstant(ZoneOffset.UTC))
        .build();
  }

  @Override
  public Optional<History> history(String owner, String responseId) {
    return read("history", owner, responseId, layout::history);
  }

  @Override
  public Optional<Turn> turn(String owner, String responseId) {
    return read("turn", owner, responseId, layout::turn);
  }

  /** A read of one layout query: {@link TableLayout#history} or {@link TableLayout#turn}. */
  @FunctionalInterface
  private interface LayoutRead<T> {
    Optional<T> apply(Connection connection, String owner, String responseId) throws SQLException;
  }

  private <T> Optional<T> read(String operation, String owner, String responseId, LayoutRead<T> read) {
    checkOpen();
    Validation.requireOwner(owner);
    Validation.requireName("response_id", responseId);
    if (!readable(owner, responseId)) {
      return Optional.empty();
    }
    try (Connection connection = dataSource.getConnection()) {
      return read.apply(connection, owner, responseId);
    } catch (IllegalArgumentException | IllegalStateException | InvalidInputException e) {
      throw unreadable(responseId, e);
    } catch (SQLException e) {
      throw failure(operation, e);
    }
  }

  @Override
  public boolean delete(String owner, String responseId) {
    checkOpen();
    Validation.requireOwner(owner);
    Validation.requireName("response_id", responseId);
    if (!readable(owner, responseId)) {
      return false;
    }
    try (Connection connection = dataSource.getConnection()) {
      boolean deleted = layout.delete(connection, owner, responseId);
      if (deleted) {
        try {
          notifications.notifyDeleted(connection, responseId);
        } catch (SQLException e) {
          // The delete committed; other instances' caches then rely on their expiry.
          LOG.debug("Could not notify the delete of a response in {}: {}", options.table, e.getSQLState());
        }
      }
      return deleted;
    } catch (SQLException e) {
      throw failure("delete", e);
    }
  }

  /**
   * Deletes in batches of {@code cleanup.batch_size} conversations (seed layout: rows), each batch
   * its own short transaction, so a cleanup of millions of turns holds no long transaction; several
   * nodes may run it at once, each counting only the turns it removed. Runs until a batch finds
   * nothing left to take (a short batch is not the end: another node may hold rows locked).
   */
  @Override
  public long deleteInactiveBefore(Instant cutoff) {
    return deleteInactiveBefore(cutoff, deleted -> { });
  }

  /**
   * As {@link #deleteInactiveBefore(Instant)}, telling {@code progress} the running total of turns
   * removed after each batch (for an operator's progress display).
   */
  @Override
  public long deleteInactiveBefore(Instant cutoff, LongConsumer progress) {
    checkOpen();
    LocalDateTime before = UtcTimes.cutoff(Validation.requireCutoff(cutoff));
    Objects.requireNonNull(progress, "progress");
    long total = 0;
    try (Connection connection = dataSource.getConnection()) {
      TableLayout.CleanupBatch batch;
      do {
        checkOpen();
        batch = layout.deleteInactiveBatch(connection, before, options.cleanupBatchSize);
        total += batch.turnsRemoved();
        progress.accept(total);
      } while (batch.claimed() > 0);
      if (total > 0) {
        notifyCleanup(connection, cutoff);
      }
      return total;
    } catch (SQLException e) {
      // A batch may have committed before the failure (or its commit's outcome is unknown).
      try (Connection connection = dataSource.getConnection()) {
        notifyCleanup(connection, cutoff);
      } catch (SQLException | RuntimeException ignored) {
        // the server is unreachable: other instances' caches rely on their expiry
      }
      throw failure("cleanup (after deleting " + total + " turns)", e);
    }
  }

  private void notifyCleanup(Connection connection, Instant cutoff) {
    try {
      notifications.notifyCleanup(connection, cutoff);
    } catch (SQLException e) {
      LOG.debug("Could not notify a cleanup of {}: {}", options.table, e.getSQLState());
    }
  }

  /**
   * Tells {@code listener} of deletes and cleanups made through any store on this table, on a
   * background thread with a dedicated direct connection started on the first subscription; see
   * the class notes and {@link InvalidationSource} for the delivery contract.
   */
  @Override
  public Subscription subscribe(Consumer<Invalidation> listener) {
    checkOpen();
    return notifications.subscribe(listener);
  }

  /**
   * The store's connection pool, for monitoring (HikariCP's pool MXBean and metrics) and for
   * benchmarks that compare plain JDBC on the same pool. Writing through it bypasses the store's
   * checks.
   */
  public javax.sql.DataSource dataSource() {
    // the pool the store started, or the host's DataSource
    return dataSource;
  }

  @Override
  public void close() {
    closed = true;
    notifications.close();
    if (cleaner != null) {
      cleaner.shutdownNow();
    }
    if (ownPool != null) {
      ownPool.close();
    }
  }

  @Override
  public String toString() {
    return "PostgresStateStore[" + (options.connection == null ? "host DataSource" : options.connection.description()) + ", table " + options.table + ", layout " + options.layout
        + (options.transactionPooler ? ", transaction pooler" : "") + (closed ? ", closed" : "") + "]";
  }

  private LocalDateTime now() {
    return UtcTimes.now(clock);
  }

  /** Refuses what PostgreSQL would alter or reject, naming the field. */
  private static void requireKeepable(Turn turn) {
    JsonbText.requireKeepableText("response_id", turn.responseId());
    JsonbText.requireKeepableText("previous_response_id", turn.previousResponseId().orElse(null));
    JsonbText.requireKeepableText("owner", turn.owner().orElse(null));
    JsonbText.requireKeepableText("model", turn.model());
    JsonbText.requireKeepableText("provider", turn.provider());
    JsonbText.requireKeepable("input", turn.input().toJson());
    JsonbText.requireKeepable("output", turn.output().toJson());
    turn.metadata().ifPresent(metadata -> JsonbText.requireKeepable("metadata", metadata));
  }

  /**
   * Whether an owner and id can name a stored turn: pgjdbc would send an unpaired surrogate as
   * {@code ?} and so find another id, and no stored id or owner holds one.
   */
  private static boolean readable(String owner, String responseId) {
    return JsonbText.keepableText(owner) && JsonbText.keepableText(responseId);
  }

  /** A stored row another tool wrote in a shape convstate does not read (items that are not a JSON array). */
  private io.convstate.StorageException unreadable(String responseId, RuntimeException e) {
    return new io.convstate.StorageException("A row of table '" + options.table + "' on the way to '" + responseId
        + "' is not what convstate writes (items must be a JSON array of objects; was it written by another tool?): "
        + e.getMessage(), e);
  }

  /** The typed exception for a driver error; a call that met {@link #close()} midway is {@link StoreClosedException}. */
  private RuntimeException failure(String action, SQLException e) {
    if (closed) {
      StoreClosedException closedException = new StoreClosedException("postgres state store (" + options.table + ")");
      closedException.addSuppressed(errors.translate(action, e));
      return closedException;
    }
    return errors.translate(action, e);
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException("postgres state store (" + options.table + ")");
    }
  }
}
