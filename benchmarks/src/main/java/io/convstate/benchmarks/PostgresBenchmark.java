package io.convstate.benchmarks;

import io.convstate.ConversationState;
import io.convstate.InputItems;
import io.convstate.StoreConfig;
import io.convstate.cached.CachedStateStore;
import io.convstate.postgres.PostgresStateStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The postgres store against plain JDBC running the same SQL on the same pool and the same rows:
 * the limit for this driver and server. Rows hold the 7 KiB, 24-item history of {@link Payloads}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(1)
public class PostgresBenchmark {

  static final int KEYS = 1_000;
  static final String UPSERT = "INSERT INTO bench.conversation_states (response_id, input_items, created_at, model, provider, updated_at)"
      + " VALUES (?, ?::jsonb, ?, ?, ?, ?) ON CONFLICT (response_id) DO UPDATE SET input_items = EXCLUDED.input_items,"
      + " model = EXCLUDED.model, provider = EXCLUDED.provider, updated_at = EXCLUDED.updated_at RETURNING created_at";
  static final String SELECT = "SELECT input_items::text, jsonb_array_length(input_items), created_at, model, provider, updated_at"
      + " FROM bench.conversation_states WHERE response_id = ?";

  PostgresStateStore store;
  CachedStateStore cached;
  DataSource pool;
  String[] ids;
  String[] targets;
  ConversationState[] states;
  String itemsJson;
  InputItems turn;

  @Setup
  public void open() {
    Map<String, String> options = BenchDatabase.freshTable("bench");
    store = new PostgresStateStore(StoreConfig.of(options, Map.of()), Clock.systemUTC());
    // Over the same store and pool, so that a miss differs from a plain get only by the cache's work.
    cached = CachedStateStore.builder(store).build();
    pool = store.dataSource();
    InputItems history = Payloads.history();
    itemsJson = history.toJson();
    turn = InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"next\"}]}]");
    ids = new String[KEYS];
    targets = new String[KEYS];
    states = new ConversationState[KEYS];
    for (int i = 0; i < KEYS; i++) {
      ids[i] = "resp_" + i;
      targets[i] = "resp_appended_" + i;
      states[i] = ConversationState.of(ids[i], history, 1_700_000_000L, "gpt-4o", "openai");
      store.put(states[i]);
    }
  }

  @TearDown
  public void close() {
    cached.close(); // closes the store too
  }

  @Benchmark
  public ConversationState storePut(Cursor cursor) {
    return store.put(states[cursor.next()]);
  }

  @Benchmark
  public long jdbcPut(Cursor cursor) throws SQLException {
    int i = cursor.next();
    try (Connection connection = pool.getConnection(); PreparedStatement statement = connection.prepareStatement(UPSERT)) {
      statement.setString(1, ids[i]);
      statement.setString(2, itemsJson);
      statement.setLong(3, 1_700_000_000L);
      statement.setString(4, "gpt-4o");
      statement.setString(5, "openai");
      statement.setObject(6, LocalDateTime.ofInstant(Instant.now().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  @Benchmark
  public ConversationState storeGet(Cursor cursor) {
    return store.get(ids[cursor.next()]).orElseThrow();
  }

  @Benchmark
  public String jdbcGet(Cursor cursor) throws SQLException {
    try (Connection connection = pool.getConnection(); PreparedStatement statement = connection.prepareStatement(SELECT)) {
      statement.setString(1, ids[cursor.next()]);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        String items = row.getString(1);
        row.getInt(2);
        row.getLong(3);
        row.getString(4);
        row.getString(5);
        row.getObject(6, LocalDateTime.class);
        return items;
      }
    }
  }

  /**
   * Appends one message to a stored history under a target id, on the server. The sources never
   * change, so every call does the same work.
   */
  @Benchmark
  public void storeAppend(Cursor cursor) {
    int i = cursor.next();
    store.append(ids[i], targets[i], turn, "gpt-4o", "openai");
  }

  /** The anchor of append: the same statement, through plain JDBC. */
  @Benchmark
  public long jdbcAppend(Cursor cursor) throws SQLException {
    int i = cursor.next();
    try (Connection connection = pool.getConnection(); PreparedStatement statement = connection.prepareStatement(
        "WITH previous AS (SELECT input_items, created_at, octet_length(input_items::text) AS bytes FROM bench.conversation_states"
            + " WHERE response_id = ?), written AS (INSERT INTO bench.conversation_states"
            + " (response_id, input_items, created_at, model, provider, updated_at)"
            + " SELECT ?, previous.input_items || ?::jsonb, previous.created_at, ?, ?, ? FROM previous"
            + " WHERE previous.bytes + ? <= ? ON CONFLICT (response_id) DO UPDATE SET input_items = EXCLUDED.input_items,"
            + " model = EXCLUDED.model, provider = EXCLUDED.provider, updated_at = EXCLUDED.updated_at RETURNING 1)"
            + " SELECT (SELECT bytes FROM previous), (SELECT count(*) FROM written)")) {
      statement.setString(1, ids[i]);
      statement.setString(2, targets[i]);
      statement.setString(3, turn.toJson());
      statement.setString(4, "gpt-4o");
      statement.setString(5, "openai");
      statement.setObject(6, LocalDateTime.ofInstant(Instant.now().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC));
      statement.setLong(7, turn.jsonBytes());
      statement.setLong(8, StoreConfig.DEFAULT_MAX_ITEMS_BYTES);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getLong(2);
      }
    }
  }

  /** A miss of the cache over PostgreSQL: drop the entry, then read through. */
  @Benchmark
  public ConversationState cachedMiss(Cursor cursor) {
    String id = ids[cursor.next()];
    cached.cache().invalidate(id);
    return cached.get(id).orElseThrow();
  }

  /** Each thread walks the keys in its own order. */
  @State(Scope.Thread)
  public static class Cursor {
    private int position = (int) (Thread.currentThread().getId() * 37 % KEYS);

    int next() {
      position = (position + 1) % KEYS;
      return position;
    }
  }

  /** Cleanup of 2,000 rows a call (two batches), against the same DELETE through plain JDBC. */
  @State(Scope.Benchmark)
  @BenchmarkMode(Mode.SingleShotTime)
  public static class Old {
    static final int ROWS = 2_000;

    @Setup(Level.Invocation)
    public void insertOldRows(PostgresBenchmark bench) throws SQLException {
      try (Connection connection = bench.pool.getConnection(); PreparedStatement statement = connection.prepareStatement(
          "INSERT INTO bench.conversation_states (response_id, input_items, created_at, model, provider, updated_at)"
              + " SELECT 'old_' || i, '[]', 0, 'm', 'p', TIMESTAMP '2000-01-01' FROM generate_series(1, " + ROWS + ") i")) {
        statement.executeUpdate();
      }
    }
  }

  static final Instant CUTOFF = Instant.parse("2001-01-01T00:00:00Z");

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 5, batchSize = 1)
  @Measurement(iterations = 30, batchSize = 1)
  public long storeCleanup(Old old) {
    return store.deleteUpdatedBefore(CUTOFF);
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 5, batchSize = 1)
  @Measurement(iterations = 30, batchSize = 1)
  public long jdbcCleanup(Old old) throws SQLException {
    long total = 0;
    try (Connection connection = pool.getConnection(); PreparedStatement statement = connection.prepareStatement(
        "DELETE FROM bench.conversation_states WHERE response_id IN (SELECT response_id FROM bench.conversation_states"
            + " WHERE updated_at < ? LIMIT ? FOR UPDATE SKIP LOCKED) AND updated_at < ?")) {
      LocalDateTime cutoff = LocalDateTime.ofInstant(CUTOFF, ZoneOffset.UTC);
      statement.setObject(1, cutoff);
      statement.setInt(2, 1_000);
      statement.setObject(3, cutoff);
      int deleted;
      do {
        deleted = statement.executeUpdate();
        total += deleted;
      } while (deleted == 1_000);
    }
    return total;
  }
}
