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
 * <p>Thread-safe. Every call takes a pooled connection for one statement in autocommit mode
 * (cleanup: one short transaction per batch), so nothing depends on session state and a restarted
 * server is used again as soon as it is back.
 */
public final class PostgresStateStore implements StateStore, BatchedCleanup {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresStateStore.class);

  private final HikariDataSource dataSource;
  private final Clock clock;
  private final PostgresOptions options;
  private final SqlErrors errors;
  private final TableLayout layout;
  private final ScheduledExecutorService cleaner;
  private volatile boolean closed;

  /**
   * Opens a store: starts the pool, checks the tables (creating them when {@code schema.create} is
   * set) and the role's privileges, and starts the background cleanup when {@code retention} is set.
   *
   * @param config the options of {@link PostgresStateStoreProvider}
   * @param clock the source of every {@code recorded_at} and of the background cleanup's cutoff
   * @throws ConfigurationException for a bad option, a missing table, a table of the other layout,
   *     a seed table that needs {@code convstate migrate}, or a missing privilege
   * @throws io.convstate.StorageUnavailableException when the server cannot be reached
   */
  public PostgresStateStore(StoreConfig config, Clock clock) {
    this(new PostgresOptions(config), clock);
  }

  PostgresStateStore(PostgresOptions options, Clock clock) {
    this.options = options;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.errors = new SqlErrors(options.connection, options.layout, options.table);
    this.layout = options.layout == Layout.TURNS ? new TurnTable(options.table) : new SeedTable(options.table);
    dataSource = new HikariDataSource(hikariConfig(options));
    try (Connection connection = dataSource.getConnection()) {
      Schema.check(connection, options.layout, options.table, options.createSchema);
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
      throw errors.translate("record", e);
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
    checkOpen();
    Validation.requireOwner(owner);
    Validation.requireName("response_id", responseId);
    if (!readable(owner, responseId)) {
      return Optional.empty();
    }
    try (Connection connection = dataSource.getConnection()) {
      return layout.history(connection, owner, responseId);
    } catch (SQLException e) {
      throw errors.translate("history", e);
    }
  }

  @Override
  public Optional<Turn> turn(String owner, String responseId) {
    checkOpen();
    Validation.requireOwner(owner);
    Validation.requireName("response_id", responseId);
    if (!readable(owner, responseId)) {
      return Optional.empty();
    }
    try (Connection connection = dataSource.getConnection()) {
      return layout.turn(connection, owner, responseId);
    } catch (SQLException e) {
      throw errors.translate("turn", e);
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
      return layout.delete(connection, owner, responseId);
    } catch (SQLException e) {
      throw errors.translate("delete", e);
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
      return total;
    } catch (SQLException e) {
      throw errors.translate("cleanup (after deleting " + total + " turns)", e);
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
    return "PostgresStateStore[" + options.connection.description() + ", table " + options.table + ", layout " + options.layout
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

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException("postgres state store (" + options.table + ")");
    }
  }
}
