package io.convstate.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.convstate.ConfigurationException;
import io.convstate.ConversationState;
import io.convstate.InputItems;
import io.convstate.InvalidInputException;
import io.convstate.StateNotFoundException;
import io.convstate.StateStore;
import io.convstate.StoreClosedException;
import io.convstate.StoreConfig;
import io.convstate.Validation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StateStore} on a PostgreSQL table (type {@code postgres}), through a HikariCP pool and
 * pgjdbc. Works with self-hosted PostgreSQL, Supabase (direct, session and transaction pooler) and
 * PgBouncer ({@code pooler=transaction}).
 *
 * <p>{@code updated_at} is written from the store's clock as UTC wall-clock time in the table's
 * {@code TIMESTAMP} column, so it and cleanup are right whatever the JVM's and the server's time
 * zones. Items are kept as {@code jsonb}: values are exact, but key order and white space are
 * PostgreSQL's; text JSONB cannot hold (the {@code \u0000} escape, unpaired surrogates) is refused
 * with {@link InvalidInputException} before anything is sent.
 *
 * <p>Thread-safe. Every call takes a pooled connection for one statement in autocommit mode, so
 * nothing depends on session state and a restarted server is used again as soon as it is back.
 */
public final class PostgresStateStore implements StateStore {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresStateStore.class);

  private final HikariDataSource dataSource;
  private final Clock clock;
  private final PostgresOptions options;
  private final SqlErrors errors;
  private final ScheduledExecutorService cleaner;
  private final String upsertSql;
  private final String selectSql;
  private final String existsSql;
  private final String deleteSql;
  private final String cleanupSql;
  private final String appendSql;
  private volatile boolean closed;

  /**
   * Opens a store: starts the pool, checks the table (creating it when {@code schema.create} is
   * set) and the role's privileges, and starts the background cleanup when {@code retention} is set.
   *
   * @param config the options of {@link PostgresStateStoreProvider}
   * @param clock the source of every {@code updated_at} and of the background cleanup's cutoff
   * @throws ConfigurationException for a bad option, a missing table or a missing privilege
   * @throws io.convstate.StorageUnavailableException when the server cannot be reached
   */
  public PostgresStateStore(StoreConfig config, Clock clock) {
    this(new PostgresOptions(config), clock);
  }

  PostgresStateStore(PostgresOptions options, Clock clock) {
    this.options = options;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.errors = new SqlErrors(options.connection, options.table);
    String table = options.table.sql();
    String upsertTail = " ON CONFLICT (response_id) DO UPDATE SET input_items = EXCLUDED.input_items,"
        + " model = EXCLUDED.model, provider = EXCLUDED.provider, updated_at = EXCLUDED.updated_at";
    upsertSql = "INSERT INTO " + table + " (response_id, input_items, created_at, model, provider, updated_at)"
        + " VALUES (?, ?::jsonb, ?, ?, ?, ?)" + upsertTail + " RETURNING created_at";
    selectSql = "SELECT input_items::text, jsonb_array_length(input_items), created_at, model, provider, updated_at"
        + " FROM " + table + " WHERE response_id = ?";
    existsSql = "SELECT 1 FROM " + table + " WHERE response_id = ?";
    deleteSql = "DELETE FROM " + table + " WHERE response_id = ?";
    // Bounded batches, each its own short transaction; SKIP LOCKED lets several nodes clean at once,
    // and the outer predicate keeps a row refreshed meanwhile.
    cleanupSql = "DELETE FROM " + table + " WHERE response_id IN (SELECT response_id FROM " + table
        + " WHERE updated_at < ? LIMIT ? FOR UPDATE SKIP LOCKED) AND updated_at < ?";
    appendSql = "WITH previous AS (SELECT input_items, created_at, octet_length(input_items::text) AS bytes FROM " + table
        + " WHERE response_id = ?), written AS (INSERT INTO " + table
        + " (response_id, input_items, created_at, model, provider, updated_at)"
        + " SELECT ?, previous.input_items || ?::jsonb, previous.created_at, ?, ?, ? FROM previous"
        + " WHERE previous.bytes + ? <= ?" + upsertTail + " RETURNING 1)"
        + " SELECT (SELECT bytes FROM previous), (SELECT count(*) FROM written)";

    dataSource = new HikariDataSource(hikariConfig(options));
    try (Connection connection = dataSource.getConnection()) {
      Schema.check(connection, options.table, options.createSchema);
    } catch (SQLException e) {
      dataSource.close();
      throw errors.translate("open", e);
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
    cleaner = options.retention == null ? null : startCleaner();
  }

  private static HikariConfig hikariConfig(PostgresOptions options) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("convstate-" + options.table);
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
      long deleted = deleteUpdatedBefore(clock.instant().minus(options.retention));
      LOG.info("Deleted {} conversation states not updated for {}", deleted, options.retention);
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.warn("Background cleanup of {} failed; it runs again in {}: {}", options.table, options.cleanupInterval, e.getMessage());
      }
    }
  }

  @Override
  public ConversationState put(ConversationState state) {
    checkOpen();
    Validation.requireStorable(state, options.maxItemsBytes);
    String json = storableJson(state.items());
    LocalDateTime now = now();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(upsertSql)) {
      statement.setString(1, state.responseId());
      statement.setString(2, json);
      statement.setLong(3, state.createdAt());
      statement.setString(4, state.model());
      statement.setString(5, state.provider());
      statement.setObject(6, now);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return state.withCreatedAt(row.getLong(1)).withUpdatedAt(now.toInstant(ZoneOffset.UTC));
      }
    } catch (SQLException e) {
      throw errors.translate("put", e);
    }
  }

  @Override
  public Optional<ConversationState> get(String responseId) {
    checkOpen();
    Validation.requireName("response_id", responseId);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(selectSql)) {
      statement.setString(1, responseId);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        ConversationState state = ConversationState.of(
            responseId, InputItems.ofStored(row.getString(1), row.getInt(2)), row.getLong(3), row.getString(4), row.getString(5));
        LocalDateTime updatedAt = row.getObject(6, LocalDateTime.class);
        return Optional.of(updatedAt == null ? state : state.withUpdatedAt(updatedAt.toInstant(ZoneOffset.UTC)));
      }
    } catch (SQLException e) {
      throw errors.translate("get", e);
    }
  }

  @Override
  public boolean exists(String responseId) {
    checkOpen();
    return executeForId(existsSql, Validation.requireName("response_id", responseId), "exists");
  }

  @Override
  public boolean delete(String responseId) {
    checkOpen();
    return executeForId(deleteSql, Validation.requireName("response_id", responseId), "delete");
  }

  private boolean executeForId(String sql, String responseId, String action) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, responseId);
      if (statement.execute()) {
        try (ResultSet row = statement.getResultSet()) {
          return row.next();
        }
      }
      return statement.getUpdateCount() > 0;
    } catch (SQLException e) {
      throw errors.translate(action, e);
    }
  }

  /**
   * Deletes in batches of {@code cleanup.batch_size} rows, each batch its own statement, so a
   * cleanup of millions of rows holds no long transaction; several nodes may run it at once.
   */
  @Override
  public long deleteUpdatedBefore(Instant cutoff) {
    return deleteUpdatedBefore(cutoff, deleted -> { });
  }

  /**
   * As {@link #deleteUpdatedBefore(Instant)}, telling {@code progress} the running total after
   * each batch (for an operator's progress display).
   */
  public long deleteUpdatedBefore(Instant cutoff, LongConsumer progress) {
    checkOpen();
    LocalDateTime before = LocalDateTime.ofInstant(Validation.requireCutoff(cutoff), ZoneOffset.UTC);
    long total = 0;
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(cleanupSql)) {
      statement.setObject(1, before);
      statement.setInt(2, options.cleanupBatchSize);
      statement.setObject(3, before);
      int deleted;
      do {
        checkOpen();
        deleted = statement.executeUpdate();
        total += deleted;
        progress.accept(total);
      } while (deleted == options.cleanupBatchSize);
      return total;
    } catch (SQLException e) {
      throw errors.translate("cleanup (after deleting " + total + " states)", e);
    }
  }

  /** One statement: reads the previous items, appends on the server, and upserts the result. */
  @Override
  public void append(
      String previousResponseId, String responseId, InputItems newItems, String model, String provider) {
    checkOpen();
    ConversationState draft = Validation.requireAppendable(previousResponseId, responseId, newItems, model, provider);
    String json = storableJson(Validation.requireWithinLimit(newItems, options.maxItemsBytes));
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(appendSql)) {
      statement.setString(1, previousResponseId);
      statement.setString(2, draft.responseId());
      statement.setString(3, json);
      statement.setString(4, draft.model());
      statement.setString(5, draft.provider());
      statement.setObject(6, now());
      statement.setLong(7, newItems.jsonBytes());
      statement.setLong(8, options.maxItemsBytes);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        long previousBytes = row.getLong(1);
        if (row.wasNull()) {
          throw new StateNotFoundException(previousResponseId);
        }
        if (row.getLong(2) == 0) {
          throw new InvalidInputException("input_items", "appending " + newItems.jsonBytes() + " bytes to the "
              + previousBytes + " bytes of '" + previousResponseId + "' would exceed this store's limit of "
              + options.maxItemsBytes + " bytes (option " + StoreConfig.MAX_ITEMS_BYTES + ")");
        }
      }
    } catch (SQLException e) {
      throw errors.translate("append", e);
    }
  }

  /**
   * The store's connection pool, for monitoring (HikariCP's pool MXBean and metrics) and for
   * benchmarks that compare plain JDBC on the same pool. Writing through it bypasses the store's
   * checks.
   */
  public javax.sql.DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {
    closed = true;
    if (cleaner != null) {
      cleaner.shutdownNow();
    }
    dataSource.close();
  }

  @Override
  public String toString() {
    return "PostgresStateStore[" + options.connection.description() + ", table " + options.table
        + (options.transactionPooler ? ", transaction pooler" : "") + (closed ? ", closed" : "") + "]";
  }

  private LocalDateTime now() {
    return LocalDateTime.ofInstant(clock.instant().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  private static String storableJson(InputItems items) {
    String json = items.toJson();
    String problem = JsonbText.unkeepable(json);
    if (problem != null) {
      throw new InvalidInputException("input_items", problem);
    }
    return json;
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException("postgres state store (" + options.table + ")");
    }
  }
}
