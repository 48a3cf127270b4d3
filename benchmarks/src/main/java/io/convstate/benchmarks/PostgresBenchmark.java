package io.convstate.benchmarks;

import io.convstate.History;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.cached.CachedStateStore;
import io.convstate.postgres.PostgresStateStore;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The postgres store (turn layout) against plain JDBC running the same SQL on the same pool and
 * the same rows: the limit for this driver and server. 1,000 conversations of 12 turns (24 items,
 * 7 KiB per history); a record continues one of them with a short turn under a new id.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(1)
public class PostgresBenchmark {

  static final int KEYS = 1_000;
  static final String TABLE = "bench.conversation_turns";
  static final String CONVERSATIONS = "bench.conversation_turns_conversations";

  /** The store's statement for a turn that continues a response (TurnTable.RECORD_NEXT_TURN). */
  static final String RECORD_NEXT_TURN = String.join("\n",
      "WITH previous AS (",
      "  SELECT conversation_id, depth, conversation_created_at FROM " + TABLE,
      "  WHERE response_id = ? AND NOT deleted AND owner IS NOT DISTINCT FROM ?",
      "), taken AS (",
      "  SELECT 1 FROM " + TABLE + " WHERE response_id = ?",
      "), activity AS (",
      "  UPDATE " + CONVERSATIONS + " SET last_activity = greatest(last_activity, ?::timestamp)",
      "  WHERE conversation_id = (SELECT conversation_id FROM previous) AND NOT EXISTS (SELECT 1 FROM taken)",
      "  RETURNING conversation_id",
      "), inserted AS (",
      "  INSERT INTO " + TABLE + " (response_id, conversation_id, previous_response_id, depth, owner, input_items, output_items,",
      "      model, provider, created_at, conversation_created_at, metadata, recorded_at)",
      "  SELECT ?, p.conversation_id, ?, p.depth + 1, ?, ?::jsonb, ?::jsonb,",
      "      ?, ?, ?::bigint, p.conversation_created_at, ?::jsonb, ?::timestamp",
      "  FROM previous p JOIN activity a ON a.conversation_id = p.conversation_id",
      "  ON CONFLICT (response_id) DO NOTHING",
      "  RETURNING conversation_created_at",
      ")",
      "SELECT EXISTS (SELECT 1 FROM previous), EXISTS (SELECT 1 FROM taken), EXISTS (SELECT 1 FROM activity),",
      "    (SELECT conversation_created_at FROM inserted)");

  /** The columns of a turn, as the store reads them (TurnTable.TURN_COLUMNS). */
  static final String TURN_COLUMNS = "t.response_id, t.previous_response_id, t.owner,"
      + " t.input_items::text AS input_text, jsonb_array_length(t.input_items) AS input_count,"
      + " t.output_items::text AS output_text, jsonb_array_length(t.output_items) AS output_count,"
      + " t.model, t.provider, t.created_at, t.conversation_created_at, t.metadata::text AS metadata_text, t.recorded_at";

  /** The store's history read (TurnTable.SELECT_HISTORY): one recursive statement. */
  static final String SELECT_HISTORY = String.join("\n",
      "WITH RECURSIVE chain AS (",
      "  SELECT " + TURN_COLUMNS + ", t.depth FROM " + TABLE + " t",
      "  WHERE t.response_id = ? AND NOT t.deleted AND t.owner IS NOT DISTINCT FROM ?",
      "  UNION ALL",
      "  SELECT p.* FROM chain c CROSS JOIN LATERAL (",
      "    SELECT " + TURN_COLUMNS + ", t.depth FROM " + TABLE + " t WHERE t.response_id = c.previous_response_id LIMIT 1) p",
      ")",
      "SELECT * FROM chain ORDER BY depth");

  /** The store's cleanup batch (TurnTable): claim inactive conversations, then delete their turns. */
  static final String CLAIM_INACTIVE = "DELETE FROM " + CONVERSATIONS + " WHERE conversation_id IN ("
      + " SELECT conversation_id FROM " + CONVERSATIONS + " WHERE last_activity < ?::timestamp"
      + " LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING conversation_id";
  static final String DELETE_TURNS = "DELETE FROM " + TABLE + " WHERE conversation_id = ANY(?)";

  /** Conversations in the table (the smoke test takes fewer). */
  @Param("1000")
  int conversations;

  PostgresStateStore store;
  CachedStateStore cached;
  DataSource pool;
  /** The last turn of each conversation. */
  String[] ids;

  @Setup
  public void open() {
    Map<String, String> options = BenchDatabase.freshTable("bench", BenchDatabase.TURNS);
    store = new PostgresStateStore(StoreConfig.of(options, Map.of()), Clock.systemUTC());
    // Over the same store and pool, so that a miss differs from a plain read only by the cache's work.
    cached = CachedStateStore.builder(store).build();
    pool = store.dataSource();
    ids = new String[conversations];
    for (int i = 0; i < conversations; i++) {
      for (Turn turn : Payloads.turns("resp_" + i, null)) {
        store.record(turn);
        ids[i] = turn.responseId();
      }
    }
  }

  @TearDown
  public void close() {
    cached.close(); // closes the store too
  }

  @Benchmark
  public Turn storeRecord(Cursor cursor) {
    return store.record(Payloads.nextTurn(cursor.newId(), ids[cursor.next(ids.length)], null));
  }

  @Benchmark
  public long jdbcRecord(Cursor cursor) throws SQLException {
    Turn turn = Payloads.nextTurn(cursor.newId(), ids[cursor.next(ids.length)], null);
    try (Connection connection = pool.getConnection(); PreparedStatement statement = connection.prepareStatement(RECORD_NEXT_TURN)) {
      LocalDateTime now = LocalDateTime.ofInstant(Instant.now().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
      statement.setString(1, turn.previousResponseId().get());
      statement.setString(2, null);
      statement.setString(3, turn.responseId());
      statement.setObject(4, now);
      statement.setString(5, turn.responseId());
      statement.setString(6, turn.previousResponseId().get());
      statement.setString(7, null);
      statement.setString(8, turn.input().toJson());
      statement.setString(9, turn.output().toJson());
      statement.setString(10, turn.model());
      statement.setString(11, turn.provider());
      statement.setLong(12, turn.createdAt());
      statement.setString(13, null);
      statement.setObject(14, now);
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getLong(4);
      }
    }
  }

  @Benchmark
  public History storeHistory(Cursor cursor) {
    return store.history(null, ids[cursor.next(ids.length)]).orElseThrow();
  }

  /** The same statement, reading the same columns; builds no turns. */
  @Benchmark
  public long jdbcHistory(Cursor cursor) throws SQLException {
    try (Connection connection = pool.getConnection(); PreparedStatement statement = connection.prepareStatement(SELECT_HISTORY)) {
      statement.setString(1, ids[cursor.next(ids.length)]);
      statement.setString(2, null);
      long bytes = 0;
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          bytes += rows.getString(1).length() + rows.getString(4).length() + rows.getInt(5) + rows.getString(6).length()
              + rows.getInt(7) + rows.getString(8).length() + rows.getString(9).length() + rows.getLong(10) + rows.getLong(11);
          rows.getString(2);
          rows.getString(3);
          rows.getString(12);
          rows.getObject(13, LocalDateTime.class);
        }
      }
      return bytes;
    }
  }

  /** A miss of the cache over PostgreSQL: drop the entry, then read through. */
  @Benchmark
  public History cachedMiss(Cursor cursor) {
    String id = ids[cursor.next(ids.length)];
    cached.cache().invalidate(id);
    return cached.history(null, id).orElseThrow();
  }

  /** Each thread walks the keys in its own order and makes its own new ids. */
  @State(Scope.Thread)
  public static class Cursor {
    private static final AtomicInteger CURSORS = new AtomicInteger();
    private final String prefix = "resp_new_" + CURSORS.incrementAndGet() + "_" + System.nanoTime() + "_";
    private int position = (int) (Thread.currentThread().getId() * 37);
    private long made;

    int next(int keys) {
      position = (position + 1) % keys;
      return position;
    }

    String newId() {
      return prefix + made++;
    }
  }

  /** Cleanup of 2,000 inactive one-turn conversations a call (two batches), against the same statements through plain JDBC. */
  @State(Scope.Benchmark)
  @BenchmarkMode(Mode.SingleShotTime)
  public static class Old {
    static final int CONVERSATIONS_PER_CALL = 2_000;

    @Setup(Level.Invocation)
    public void insertOldConversations(PostgresBenchmark bench) throws SQLException {
      try (Connection connection = bench.pool.getConnection(); PreparedStatement turns = connection.prepareStatement(
          "INSERT INTO " + TABLE + " (response_id, conversation_id, previous_response_id, depth, owner, input_items,"
              + " output_items, model, provider, created_at, conversation_created_at, recorded_at)"
              + " SELECT 'old_' || i, 'old_' || i, NULL, 1, NULL, '[]', '[]', 'm', 'p', 0, 0, TIMESTAMP '2000-01-01'"
              + " FROM generate_series(1, " + CONVERSATIONS_PER_CALL + ") i");
          PreparedStatement activity = connection.prepareStatement(
              "INSERT INTO " + CONVERSATIONS + " (conversation_id, last_activity)"
                  + " SELECT 'old_' || i, TIMESTAMP '2000-01-01' FROM generate_series(1, " + CONVERSATIONS_PER_CALL + ") i")) {
        turns.executeUpdate();
        activity.executeUpdate();
      }
    }
  }

  static final Instant CUTOFF = Instant.parse("2001-01-01T00:00:00Z");

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 5, batchSize = 1)
  @Measurement(iterations = 30, batchSize = 1)
  public long storeCleanup(Old old) {
    return store.deleteInactiveBefore(CUTOFF);
  }

  /** The store's loop: a batch of 1,000 conversations per transaction until a claim finds none. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 5, batchSize = 1)
  @Measurement(iterations = 30, batchSize = 1)
  public long jdbcCleanup(Old old) throws SQLException {
    long total = 0;
    try (Connection connection = pool.getConnection()) {
      LocalDateTime cutoff = LocalDateTime.ofInstant(CUTOFF, ZoneOffset.UTC);
      int claimed;
      do {
        connection.setAutoCommit(false);
        List<String> conversations = new ArrayList<>();
        try (PreparedStatement claim = connection.prepareStatement(CLAIM_INACTIVE)) {
          claim.setObject(1, cutoff);
          claim.setInt(2, 1_000);
          try (ResultSet rows = claim.executeQuery()) {
            while (rows.next()) {
              conversations.add(rows.getString(1));
            }
          }
        }
        claimed = conversations.size();
        if (claimed > 0) {
          try (PreparedStatement delete = connection.prepareStatement(DELETE_TURNS)) {
            Array array = connection.createArrayOf("text", conversations.toArray());
            delete.setArray(1, array);
            total += delete.executeUpdate();
          }
        }
        connection.commit();
        connection.setAutoCommit(true);
      } while (claimed > 0);
    }
    return total;
  }
}
