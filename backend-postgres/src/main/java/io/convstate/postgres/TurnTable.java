package io.convstate.postgres;

import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.StorageException;
import io.convstate.Turn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The turn layout ({@code layout=turns}): one row per turn in {@code %TABLE%} holding only that
 * turn's items, and one row per conversation in {@code %CONVERSATIONS%} holding its last activity.
 *
 * <p><b>Recording</b> is one statement. A first turn inserts its conversation's activity row (the
 * conversation id is its own response id); a continuing turn refreshes its conversation's activity
 * row with an {@code UPDATE}, which holds that row locked until the statement commits, and inserts
 * the turn only when the update found the row. When the response id is already taken, neither is
 * written: the store then compares the stored turn in a second statement (a retry writes nothing). <b>Cleanup</b> claims inactive activity rows with
 * {@code FOR UPDATE SKIP LOCKED}, deletes them, and then, in the same transaction but a second
 * statement (so with a snapshot taken after the claim), deletes every turn of those conversations.
 * So a recording either committed before the claim (its turn is seen and removed with its
 * conversation), or held the row (the claim skips the conversation), or waits on the claim and then
 * finds no activity row (it reports the previous response as not found and writes nothing): no
 * readable turn is ever left with a hole, and each turn is removed by one cleanup only.
 *
 * <p>A <b>history</b> is one recursive statement that follows {@code previous_response_id} from the
 * target by primary key, so forks cost nothing; deleted ancestors are followed like any other.
 */
final class TurnTable implements TableLayout {

  /** The columns a turn is read from, in the order {@link #readTurn} expects. */
  private static final String TURN_COLUMNS = "t.response_id, t.previous_response_id, t.owner,"
      + " t.input_items::text AS input_text, jsonb_array_length(t.input_items) AS input_count,"
      + " t.output_items::text AS output_text, jsonb_array_length(t.output_items) AS output_count,"
      + " t.model, t.provider, t.created_at, t.conversation_created_at, t.metadata::text AS metadata_text, t.recorded_at";

  private static final String RECORD_FIRST_TURN = String.join("\n",
      "WITH taken AS (",
      "  SELECT 1 FROM %TABLE% WHERE response_id = :response_id",
      "), activity AS (",
      "  INSERT INTO %CONVERSATIONS% AS c (conversation_id, last_activity)",
      "  SELECT :response_id, :now::timestamp WHERE NOT EXISTS (SELECT 1 FROM taken)",
      "  ON CONFLICT (conversation_id) DO UPDATE SET last_activity = greatest(c.last_activity, EXCLUDED.last_activity)",
      "  RETURNING conversation_id",
      "), inserted AS (",
      "  INSERT INTO %TABLE% (response_id, conversation_id, previous_response_id, depth, owner, input_items, output_items,",
      "      model, provider, created_at, conversation_created_at, metadata, recorded_at)",
      "  SELECT :response_id, a.conversation_id, NULL, 1, :owner, :input::jsonb, :output::jsonb,",
      "      :model, :provider, :created_at::bigint, :created_at::bigint, :metadata::jsonb, :now::timestamp",
      "  FROM activity a",
      "  ON CONFLICT (response_id) DO NOTHING",
      "  RETURNING conversation_created_at",
      ")",
      "SELECT true, EXISTS (SELECT 1 FROM taken), EXISTS (SELECT 1 FROM activity),",
      "    (SELECT conversation_created_at FROM inserted)");

  private static final String RECORD_NEXT_TURN = String.join("\n",
      "WITH previous AS (",
      "  SELECT conversation_id, depth, conversation_created_at FROM %TABLE%",
      "  WHERE response_id = :previous_response_id AND NOT deleted AND owner IS NOT DISTINCT FROM :owner",
      "), taken AS (",
      "  SELECT 1 FROM %TABLE% WHERE response_id = :response_id",
      "), activity AS (",
      "  UPDATE %CONVERSATIONS% SET last_activity = greatest(last_activity, :now::timestamp)",
      "  WHERE conversation_id = (SELECT conversation_id FROM previous) AND NOT EXISTS (SELECT 1 FROM taken)",
      "  RETURNING conversation_id",
      "), inserted AS (",
      "  INSERT INTO %TABLE% (response_id, conversation_id, previous_response_id, depth, owner, input_items, output_items,",
      "      model, provider, created_at, conversation_created_at, metadata, recorded_at)",
      "  SELECT :response_id, p.conversation_id, :previous_response_id, p.depth + 1, :owner, :input::jsonb, :output::jsonb,",
      "      :model, :provider, :created_at::bigint, p.conversation_created_at, :metadata::jsonb, :now::timestamp",
      "  FROM previous p JOIN activity a ON a.conversation_id = p.conversation_id",
      "  ON CONFLICT (response_id) DO NOTHING",
      "  RETURNING conversation_created_at",
      ")",
      "SELECT EXISTS (SELECT 1 FROM previous), EXISTS (SELECT 1 FROM taken), EXISTS (SELECT 1 FROM activity),",
      "    (SELECT conversation_created_at FROM inserted)");

  private static final String SELECT_SAME_RECORD = String.join("\n",
      "SELECT NOT deleted AND previous_response_id IS NOT DISTINCT FROM :previous_response_id",
      "    AND owner IS NOT DISTINCT FROM :owner AND model = :model AND provider = :provider",
      "    AND created_at = :created_at AND input_items = :input::jsonb AND output_items = :output::jsonb",
      "    AND metadata IS NOT DISTINCT FROM :metadata::jsonb,",
      "  conversation_created_at, recorded_at",
      "FROM %TABLE% WHERE response_id = :response_id");

  /**
   * Each step of the recursion is a LIMIT 1 lateral lookup, so that it is always one primary-key
   * probe (a plain join lets the planner hash-join the whole table on every step).
   */
  private static final String SELECT_HISTORY = String.join("\n",
      "WITH RECURSIVE chain AS (",
      "  SELECT " + TURN_COLUMNS + ", t.depth FROM %TABLE% t",
      "  WHERE t.response_id = :response_id AND NOT t.deleted AND t.owner IS NOT DISTINCT FROM :owner",
      "  UNION ALL",
      "  SELECT p.* FROM chain c CROSS JOIN LATERAL (",
      "    SELECT " + TURN_COLUMNS + ", t.depth FROM %TABLE% t WHERE t.response_id = c.previous_response_id LIMIT 1) p",
      ")",
      "SELECT * FROM chain ORDER BY depth");

  private static final String SELECT_TURN = String.join("\n",
      "SELECT " + TURN_COLUMNS,
      "FROM %TABLE% t WHERE t.response_id = :response_id AND NOT t.deleted AND t.owner IS NOT DISTINCT FROM :owner");

  private static final String TOMBSTONE = String.join("\n",
      "UPDATE %TABLE% SET deleted = true",
      "WHERE response_id = :response_id AND NOT deleted AND owner IS NOT DISTINCT FROM :owner");

  private static final String CLAIM_INACTIVE_CONVERSATIONS = String.join("\n",
      "DELETE FROM %CONVERSATIONS% WHERE conversation_id IN (",
      "  SELECT conversation_id FROM %CONVERSATIONS% WHERE last_activity < :cutoff::timestamp",
      "  LIMIT :batch_size FOR UPDATE SKIP LOCKED)",
      "RETURNING conversation_id");

  private static final String DELETE_CONVERSATION_TURNS =
      "DELETE FROM %TABLE% WHERE conversation_id = ANY(:conversation_ids)";

  private final NamedSql recordFirstTurn;
  private final NamedSql recordNextTurn;
  private final NamedSql selectSameRecord;
  private final NamedSql selectHistory;
  private final NamedSql selectTurn;
  private final NamedSql tombstone;
  private final NamedSql claimInactive;
  private final NamedSql deleteConversationTurns;

  /** The layout on {@code table} and its conversations table {@code <table>_conversations}. */
  TurnTable(TableName table) {
    Map<String, TableName> tables = Map.of("%TABLE%", table, "%CONVERSATIONS%", conversationsTable(table));
    recordFirstTurn = NamedSql.render(RECORD_FIRST_TURN, tables);
    recordNextTurn = NamedSql.render(RECORD_NEXT_TURN, tables);
    selectSameRecord = NamedSql.render(SELECT_SAME_RECORD, tables);
    selectHistory = NamedSql.render(SELECT_HISTORY, tables);
    selectTurn = NamedSql.render(SELECT_TURN, tables);
    tombstone = NamedSql.render(TOMBSTONE, tables);
    claimInactive = NamedSql.render(CLAIM_INACTIVE_CONVERSATIONS, tables);
    deleteConversationTurns = NamedSql.render(DELETE_CONVERSATION_TURNS, tables);
  }

  /** The table holding each conversation's last activity: {@code <table>_conversations}. */
  static TableName conversationsTable(TableName table) {
    return table.withSuffix("conversations");
  }

  @Override
  public RecordOutcome record(Connection connection, Turn turn, LocalDateTime now) throws SQLException {
    NamedSql sql = turn.previousResponseId().isPresent() ? recordNextTurn : recordFirstTurn;
    try (NamedSql.Binder statement = sql.prepare(connection)) {
      return TableLayout.recordOutcome(TableLayout.bindTurn(statement, turn, now));
    }
  }

  @Override
  public Optional<StoredRecord> sameRecord(Connection connection, Turn turn) throws SQLException {
    try (NamedSql.Binder statement = selectSameRecord.prepare(connection)) {
      return TableLayout.sameRecord(statement, turn);
    }
  }

  @Override
  public Optional<History> history(Connection connection, String owner, String responseId) throws SQLException {
    List<Turn> turns = new ArrayList<>();
    try (NamedSql.Binder statement = selectHistory.prepare(connection)) {
      statement.text("response_id", responseId).text("owner", owner);
      try (ResultSet rows = statement.statement.executeQuery()) {
        while (rows.next()) {
          turns.add(readTurn(rows));
        }
      }
    }
    if (turns.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(History.of(turns));
    } catch (IllegalArgumentException e) {
      throw new StorageException("The history of '" + responseId + "' is not a whole chain of turns: " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<Turn> turn(Connection connection, String owner, String responseId) throws SQLException {
    try (NamedSql.Binder statement = selectTurn.prepare(connection)) {
      statement.text("response_id", responseId).text("owner", owner);
      try (ResultSet row = statement.statement.executeQuery()) {
        return row.next() ? Optional.of(readTurn(row)) : Optional.empty();
      }
    }
  }

  @Override
  public boolean delete(Connection connection, String owner, String responseId) throws SQLException {
    try (NamedSql.Binder statement = tombstone.prepare(connection)) {
      statement.text("response_id", responseId).text("owner", owner);
      return statement.statement.executeUpdate() > 0;
    }
  }

  @Override
  public CleanupBatch deleteInactiveBatch(Connection connection, LocalDateTime cutoff, int batchSize) throws SQLException {
    connection.setAutoCommit(false);
    try {
      List<String> conversations = new ArrayList<>();
      try (NamedSql.Binder claim = claimInactive.prepare(connection)) {
        claim.timestamp("cutoff", cutoff).integer("batch_size", batchSize);
        try (ResultSet rows = claim.statement.executeQuery()) {
          while (rows.next()) {
            conversations.add(rows.getString(1));
          }
        }
      }
      long removed = 0;
      if (!conversations.isEmpty()) {
        // A second statement: its snapshot sees every turn committed before the claim took the rows.
        try (NamedSql.Binder delete = deleteConversationTurns.prepare(connection)) {
          delete.texts("conversation_ids", conversations);
          removed = delete.statement.executeUpdate();
        }
      }
      connection.commit();
      return new CleanupBatch(conversations.size(), removed);
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly(connection, e);
      throw e;
    } finally {
      restoreAutoCommit(connection);
    }
  }

  /** Back to autocommit for the pool; a connection that broke meanwhile is dropped by the pool anyway. */
  static void restoreAutoCommit(Connection connection) {
    try {
      connection.setAutoCommit(true);
    } catch (SQLException e) {
      // the failure that broke it is the one being reported
    }
  }

  private static void rollbackQuietly(Connection connection, Exception failure) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      failure.addSuppressed(e);
    }
  }

  /** Stored metadata as compact JSON; null stays null. */
  static String metadata(String jsonbText) {
    return jsonbText == null ? null : JsonbText.compact(jsonbText);
  }

  /** A turn from the columns of {@link #TURN_COLUMNS}, items as stored (no parse). */
  static Turn readTurn(ResultSet row) throws SQLException {
    return Turn.builder(row.getString(1))
        .previousResponseId(row.getString(2))
        .owner(row.getString(3))
        .input(InputItems.ofStored(row.getString(4), row.getInt(5)))
        .output(InputItems.ofStored(row.getString(6), row.getInt(7)))
        .model(row.getString(8))
        .provider(row.getString(9))
        .createdAt(row.getLong(10))
        .conversationCreatedAt(row.getLong(11))
        .metadata(metadata(row.getString(12)))
        .recordedAt(row.getObject(13, LocalDateTime.class).toInstant(ZoneOffset.UTC))
        .build();
  }
}
