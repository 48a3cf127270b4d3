package io.convstate.postgres;

import io.convstate.History;
import io.convstate.StorageException;
import io.convstate.Turn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The seed layout ({@code layout=conversation_states}): one row per response whose
 * {@code input_items} is the whole history, as the seed and plano write it, plus the additive
 * columns convstate 0.2 needs to answer the turn operations: {@code owner},
 * {@code previous_response_id}, {@code conversation_id}, {@code deleted}, and {@code turns}, one
 * small descriptor per turn of the row's history ({@link SeedRows}) so that a history is rebuilt
 * turn by turn from the one row.
 *
 * <p>Recording is one statement that appends on the server: the new row's items are the previous
 * row's items, then the turn's input and output. Every row holds its whole history, so deleting
 * (a tombstone) or cleaning up a row never touches another row's history. Cleanup removes the rows
 * of conversations ({@code coalesce(conversation_id, response_id)}) none of whose rows was
 * updated at or after the cutoff; a row recorded meanwhile keeps its whole history.
 */
final class SeedTable implements TableLayout {

  /** One turn's descriptor in the {@code turns} column. */
  private static final String DESCRIPTOR = "jsonb_build_object('id', :response_id::text, 'in', :input_count::int,"
      + " 'out', :output_count::int, 'created_at', :created_at::bigint, 'model', :model::text, 'provider', :provider::text,"
      + " 'metadata', :metadata::jsonb, 'recorded_at', :recorded_at::text)";

  private static final String RECORD_FIRST_TURN = String.join("\n",
      "WITH taken AS (",
      "  SELECT 1 FROM %TABLE% WHERE response_id = :response_id",
      "), inserted AS (",
      "  INSERT INTO %TABLE% (response_id, input_items, created_at, model, provider, updated_at,",
      "      owner, previous_response_id, conversation_id, turns)",
      "  SELECT :response_id, :input::jsonb || :output::jsonb, :created_at::bigint, :model, :provider, :now::timestamp,",
      "      :owner, NULL, :response_id, jsonb_build_array(" + DESCRIPTOR + ")",
      "  WHERE NOT EXISTS (SELECT 1 FROM taken)",
      "  ON CONFLICT (response_id) DO NOTHING",
      "  RETURNING created_at",
      ")",
      "SELECT true, EXISTS (SELECT 1 FROM taken), true, (SELECT created_at FROM inserted)");

  /** A row another tool wrote (no {@code turns}) continues as one turn holding all its items. */
  private static final String RECORD_NEXT_TURN = String.join("\n",
      "WITH previous AS (",
      "  SELECT input_items, created_at, coalesce(conversation_id, response_id) AS conversation_id,",
      "    coalesce(turns, jsonb_build_array(jsonb_build_object('id', response_id, 'in', jsonb_array_length(input_items),",
      "      'out', 0, 'created_at', created_at, 'model', model, 'provider', provider, 'metadata', NULL::jsonb,",
      "      'recorded_at', to_char(updated_at, 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')))) AS turns",
      "  FROM %TABLE%",
      "  WHERE response_id = :previous_response_id AND NOT deleted AND owner IS NOT DISTINCT FROM :owner",
      "), taken AS (",
      "  SELECT 1 FROM %TABLE% WHERE response_id = :response_id",
      "), inserted AS (",
      "  INSERT INTO %TABLE% (response_id, input_items, created_at, model, provider, updated_at,",
      "      owner, previous_response_id, conversation_id, turns)",
      "  SELECT :response_id, p.input_items || :input::jsonb || :output::jsonb, p.created_at, :model, :provider, :now::timestamp,",
      "      :owner, :previous_response_id, p.conversation_id, p.turns || jsonb_build_array(" + DESCRIPTOR + ")",
      "  FROM previous p WHERE NOT EXISTS (SELECT 1 FROM taken)",
      "  ON CONFLICT (response_id) DO NOTHING",
      "  RETURNING created_at",
      ")",
      "SELECT EXISTS (SELECT 1 FROM previous), EXISTS (SELECT 1 FROM taken), true, (SELECT created_at FROM inserted)");

  /** The stored row's last turn is the slice of its items its descriptor counts, from the end. */
  private static final String SELECT_SAME_RECORD = String.join("\n",
      "WITH s AS (",
      "  SELECT deleted, previous_response_id, owner, model, provider, created_at, updated_at, input_items,",
      "    jsonb_array_length(input_items) AS n,",
      "    coalesce(turns -> -1, jsonb_build_object('in', jsonb_array_length(input_items), 'out', 0,",
      "      'created_at', created_at, 'metadata', NULL::jsonb)) AS d",
      "  FROM %TABLE% WHERE response_id = :response_id",
      ")",
      "SELECT NOT deleted AND previous_response_id IS NOT DISTINCT FROM :previous_response_id",
      "    AND owner IS NOT DISTINCT FROM :owner AND model = :model AND provider = :provider",
      "    AND (d ->> 'created_at')::bigint = :created_at::bigint",
      "    AND nullif(d -> 'metadata', 'null'::jsonb) IS NOT DISTINCT FROM :metadata::jsonb",
      "    AND (d ->> 'in')::int = :input_count::int AND (d ->> 'out')::int = :output_count::int",
      "    AND n >= :input_count::int + :output_count::int",
      "    AND jsonb_path_query_array(input_items, '$[$from to $to]', jsonb_build_object(",
      "      'from', n - :input_count::int - :output_count::int, 'to', n - :output_count::int - 1)) = :input::jsonb",
      "    AND jsonb_path_query_array(input_items, '$[$from to $to]', jsonb_build_object(",
      "      'from', n - :output_count::int, 'to', n - 1)) = :output::jsonb,",
      "  created_at, updated_at",
      "FROM s");

  private static final String SELECT_HISTORY = String.join("\n",
      "SELECT " + SeedRows.COLUMNS,
      "FROM %TABLE% s LEFT JOIN LATERAL jsonb_array_elements(s.turns) WITH ORDINALITY AS d (t, n) ON true",
      "WHERE s.response_id = :response_id AND NOT s.deleted AND s.owner IS NOT DISTINCT FROM :owner",
      "ORDER BY d.n");

  private static final String TOMBSTONE = String.join("\n",
      "UPDATE %TABLE% SET deleted = true",
      "WHERE response_id = :response_id AND NOT deleted AND owner IS NOT DISTINCT FROM :owner");

  private static final String DELETE_INACTIVE_ROWS = String.join("\n",
      "DELETE FROM %TABLE% WHERE response_id IN (",
      "  SELECT s.response_id FROM %TABLE% s",
      "  WHERE s.updated_at < :cutoff::timestamp AND NOT EXISTS (",
      "    SELECT 1 FROM %TABLE% n",
      "    WHERE coalesce(n.conversation_id, n.response_id) = coalesce(s.conversation_id, s.response_id)",
      "      AND n.updated_at >= :cutoff::timestamp)",
      "  LIMIT :batch_size FOR UPDATE SKIP LOCKED)");

  private final NamedSql recordFirstTurn;
  private final NamedSql recordNextTurn;
  private final NamedSql selectSameRecord;
  private final NamedSql selectHistory;
  private final NamedSql tombstone;
  private final NamedSql deleteInactiveRows;

  SeedTable(TableName table) {
    Map<String, TableName> tables = Map.of("%TABLE%", table);
    recordFirstTurn = NamedSql.render(RECORD_FIRST_TURN, tables);
    recordNextTurn = NamedSql.render(RECORD_NEXT_TURN, tables);
    selectSameRecord = NamedSql.render(SELECT_SAME_RECORD, tables);
    selectHistory = NamedSql.render(SELECT_HISTORY, tables);
    tombstone = NamedSql.render(TOMBSTONE, tables);
    deleteInactiveRows = NamedSql.render(DELETE_INACTIVE_ROWS, tables);
  }

  @Override
  public RecordOutcome record(Connection connection, Turn turn, LocalDateTime now) throws SQLException {
    NamedSql sql = turn.previousResponseId().isPresent() ? recordNextTurn : recordFirstTurn;
    try (NamedSql.Binder statement = sql.prepare(connection)) {
      TableLayout.bindTurn(statement, turn, now)
          .integer("input_count", turn.input().size())
          .integer("output_count", turn.output().size())
          .text("recorded_at", now.toInstant(ZoneOffset.UTC).toString());
      return TableLayout.recordOutcome(statement);
    }
  }

  @Override
  public Optional<StoredRecord> sameRecord(Connection connection, Turn turn) throws SQLException {
    try (NamedSql.Binder statement = selectSameRecord.prepare(connection)) {
      statement.integer("input_count", turn.input().size()).integer("output_count", turn.output().size());
      return TableLayout.sameRecord(statement, turn);
    }
  }

  @Override
  public Optional<History> history(Connection connection, String owner, String responseId) throws SQLException {
    List<SeedRows.Row> rows;
    try (NamedSql.Binder statement = selectHistory.prepare(connection)) {
      statement.text("response_id", responseId).text("owner", owner);
      try (ResultSet result = statement.statement.executeQuery()) {
        rows = SeedRows.read(result);
      }
    }
    if (rows.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(History.of(rows.get(0).turns()));
    } catch (IllegalArgumentException e) {
      throw new StorageException("The history of '" + responseId + "' is not a whole chain of turns: " + e.getMessage(), e);
    }
  }

  /** The history's last turn: the row's items are its whole history, so one row is read either way. */
  @Override
  public Optional<Turn> turn(Connection connection, String owner, String responseId) throws SQLException {
    return history(connection, owner, responseId).map(History::last);
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
    try (NamedSql.Binder statement = deleteInactiveRows.prepare(connection)) {
      statement.timestamp("cutoff", cutoff).integer("batch_size", batchSize);
      int deleted = statement.statement.executeUpdate();
      return new CleanupBatch(deleted, deleted);
    }
  }
}
