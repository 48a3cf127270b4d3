package io.convstate.postgres;

import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.Turn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Copies a seed-layout table into a turn-layout table, for operators who switch layouts.
 *
 * <p>Seed rows are read in batches by keyset on {@code response_id}; each batch is one transaction.
 * A row with a {@code turns} column becomes its chain's turns, ancestors first, so that at every
 * commit each copied turn's history is whole; a row without one becomes one first turn. Turns
 * already in the target are left alone ({@code ON CONFLICT DO NOTHING}), so a copy that stopped
 * can simply run again. An ancestor turn whose own seed row is gone or deleted is copied as a
 * tombstone: readable in neither table, but part of the histories that continue it. Each
 * conversation's activity is the latest {@code recorded_at} of its copied turns.
 *
 * <p>Then every seed row is checked: a readable row must be readable in the turns table with the
 * same history items (as jsonb renders them), a deleted row must be there as a tombstone.
 *
 * <p>Not thread-safe; runs on the caller's connection, in autocommit mode between batches.
 */
final class SeedCopy {

  private static final String SELECT_SEED_BATCH = String.join("\n",
      "SELECT " + SeedRows.COLUMNS,
      "FROM (SELECT * FROM %SEED% WHERE response_id > :after ORDER BY response_id LIMIT :batch_size) s",
      "LEFT JOIN LATERAL jsonb_array_elements(s.turns) WITH ORDINALITY AS d (t, n) ON true",
      "ORDER BY s.response_id, d.n");

  private static final String SELECT_SEED_DELETED = "SELECT response_id, deleted FROM %SEED% WHERE response_id = ANY(:ids)";

  private static final String SELECT_PRESENT_TURNS = "SELECT response_id FROM %TABLE% WHERE response_id = ANY(:ids)";

  private static final String INSERT_TURN = String.join("\n",
      "INSERT INTO %TABLE% (response_id, conversation_id, previous_response_id, depth, owner, input_items, output_items,",
      "    model, provider, created_at, conversation_created_at, metadata, recorded_at, deleted)",
      "VALUES (:response_id, :conversation_id, :previous_response_id, :depth, :owner, :input::jsonb, :output::jsonb,",
      "    :model, :provider, :created_at, :conversation_created_at, :metadata::jsonb, :recorded_at, :deleted)",
      "ON CONFLICT (response_id) DO NOTHING");

  private static final String UPSERT_ACTIVITY = String.join("\n",
      "INSERT INTO %CONVERSATIONS% AS c (conversation_id, last_activity) VALUES (:conversation_id, :last_activity)",
      "ON CONFLICT (conversation_id) DO UPDATE SET last_activity = greatest(c.last_activity, EXCLUDED.last_activity)");

  private static final String SELECT_SEED_ITEMS = String.join("\n",
      "SELECT response_id, owner, deleted, input_items::text, jsonb_array_length(input_items) FROM %SEED%",
      "WHERE response_id > :after ORDER BY response_id LIMIT :batch_size");

  private static final String SELECT_TOMBSTONES = "SELECT response_id FROM %TABLE% WHERE response_id = ANY(:ids) AND deleted";

  /** How many problem ids a report names at most. */
  static final int SAMPLE_LIMIT = 20;

  private final Connection connection;
  private final Clock clock;
  private final int batchSize;
  private final PostgresAdmin.CopyProgress progress;
  private final TurnTable turns;
  private final NamedSql selectSeedBatch;
  private final NamedSql selectSeedDeleted;
  private final NamedSql selectPresentTurns;
  private final NamedSql insertTurn;
  private final NamedSql upsertActivity;
  private final NamedSql selectSeedItems;
  private final NamedSql selectTombstones;

  SeedCopy(Connection connection, Clock clock, TableName seed, TableName target, int batchSize,
      PostgresAdmin.CopyProgress progress) {
    this.connection = connection;
    this.clock = clock;
    this.batchSize = batchSize;
    this.progress = progress;
    this.turns = new TurnTable(target);
    Map<String, TableName> tables = Map.of("%SEED%", seed, "%TABLE%", target, "%CONVERSATIONS%", TurnTable.conversationsTable(target));
    selectSeedBatch = NamedSql.render(SELECT_SEED_BATCH, tables);
    selectSeedDeleted = NamedSql.render(SELECT_SEED_DELETED, tables);
    selectPresentTurns = NamedSql.render(SELECT_PRESENT_TURNS, tables);
    insertTurn = NamedSql.render(INSERT_TURN, tables);
    upsertActivity = NamedSql.render(UPSERT_ACTIVITY, tables);
    selectSeedItems = NamedSql.render(SELECT_SEED_ITEMS, tables);
    selectTombstones = NamedSql.render(SELECT_TOMBSTONES, tables);
  }

  /** Copies every row, then verifies every row. */
  PostgresAdmin.CopyReport run() throws SQLException {
    Counts counts = new Counts();
    String after = "";
    while (true) {
      List<SeedRows.Row> rows = readBatch(after);
      if (rows.isEmpty()) {
        break;
      }
      copy(rows, counts);
      after = rows.get(rows.size() - 1).responseId();
      progress.update("copy", counts.rows);
    }
    verify(counts);
    return new PostgresAdmin.CopyReport(counts.rows, counts.sliced, counts.rows - counts.sliced, counts.inserted,
        counts.present, counts.verified, counts.missing, counts.different, List.copyOf(counts.samples));
  }

  private List<SeedRows.Row> readBatch(String after) throws SQLException {
    try (NamedSql.Binder statement = selectSeedBatch.prepare(connection)) {
      statement.text("after", after).integer("batch_size", batchSize);
      try (ResultSet rows = statement.statement.executeQuery()) {
        return SeedRows.read(rows);
      }
    }
  }

  /** One batch in one transaction: every turn of every row's chain that the target lacks, ancestors first. */
  private void copy(List<SeedRows.Row> rows, Counts counts) throws SQLException {
    Map<String, Boolean> seedDeleted = new HashMap<>();
    Set<String> ids = new HashSet<>();
    for (SeedRows.Row row : rows) {
      for (Turn turn : row.turns()) {
        ids.add(turn.responseId());
      }
      seedDeleted.put(row.responseId(), row.deleted());
    }
    List<String> idList = new ArrayList<>(ids);
    try (NamedSql.Binder statement = selectSeedDeleted.prepare(connection)) {
      statement.texts("ids", idList);
      try (ResultSet result = statement.statement.executeQuery()) {
        while (result.next()) {
          seedDeleted.put(result.getString(1), result.getBoolean(2));
        }
      }
    }
    Set<String> present = new HashSet<>();
    try (NamedSql.Binder statement = selectPresentTurns.prepare(connection)) {
      statement.texts("ids", idList);
      try (ResultSet result = statement.statement.executeQuery()) {
        while (result.next()) {
          present.add(result.getString(1));
        }
      }
    }
    LocalDateTime now = UtcTimes.now(clock);
    // Depth by depth across the batch: ancestors are written before the turns that continue them.
    Map<Integer, List<PlannedTurn>> byDepth = new TreeMap<>();
    Map<String, LocalDateTime> activity = new LinkedHashMap<>();
    Set<String> planned = new HashSet<>();
    for (SeedRows.Row row : rows) {
      counts.rows++;
      if (row.sliced()) {
        counts.sliced++;
      }
      List<Turn> chain = row.turns();
      String conversationId = chain.get(0).responseId();
      for (int i = 0; i < chain.size(); i++) {
        Turn turn = chain.get(i);
        LocalDateTime recordedAt = turn.recordedAt().map(at -> LocalDateTime.ofInstant(at, ZoneOffset.UTC)).orElse(now);
        activity.merge(conversationId, recordedAt, (a, b) -> a.isAfter(b) ? a : b);
        if (present.contains(turn.responseId()) || !planned.add(turn.responseId())) {
          continue;
        }
        boolean deleted = seedDeleted.getOrDefault(turn.responseId(), true);
        byDepth.computeIfAbsent(i + 1, depth -> new ArrayList<>())
            .add(new PlannedTurn(turn, conversationId, i + 1, deleted, recordedAt));
      }
    }
    counts.present += present.size();
    connection.setAutoCommit(false);
    try {
      try (NamedSql.Binder statement = insertTurn.prepare(connection)) {
        for (List<PlannedTurn> level : byDepth.values()) {
          for (PlannedTurn copy : level) {
            Turn turn = copy.turn();
            statement.text("response_id", turn.responseId())
                .text("conversation_id", copy.conversationId())
                .text("previous_response_id", turn.previousResponseId().orElse(null))
                .integer("depth", copy.depth())
                .text("owner", turn.owner().orElse(null))
                .text("input", turn.input().toJson())
                .text("output", turn.output().toJson())
                .text("model", turn.model())
                .text("provider", turn.provider())
                .number("created_at", turn.createdAt())
                .number("conversation_created_at", turn.conversationCreatedAt())
                .text("metadata", turn.metadata().orElse(null))
                .timestamp("recorded_at", copy.recordedAt())
                .bool("deleted", copy.deleted());
            statement.statement.addBatch();
          }
        }
        for (int count : statement.statement.executeBatch()) {
          counts.inserted += Math.max(count, 0);
        }
      }
      try (NamedSql.Binder statement = upsertActivity.prepare(connection)) {
        for (Map.Entry<String, LocalDateTime> conversation : activity.entrySet()) {
          statement.text("conversation_id", conversation.getKey()).timestamp("last_activity", conversation.getValue());
          statement.statement.addBatch();
        }
        statement.statement.executeBatch();
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      try {
        connection.rollback();
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    } finally {
      TurnTable.restoreAutoCommit(connection);
    }
  }

  /** Checks every seed row against the turns table. */
  private void verify(Counts counts) throws SQLException {
    String after = "";
    long checked = 0;
    while (true) {
      List<String> deleted = new ArrayList<>();
      String last = null;
      try (NamedSql.Binder statement = selectSeedItems.prepare(connection)) {
        statement.text("after", after).integer("batch_size", batchSize);
        try (ResultSet rows = statement.statement.executeQuery()) {
          while (rows.next()) {
            last = rows.getString(1);
            checked++;
            if (rows.getBoolean(3)) {
              deleted.add(last);
              continue;
            }
            List<String> expected = InputItems.ofStored(rows.getString(4), rows.getInt(5)).elements();
            Optional<History> history = turns.history(connection, rows.getString(2), last);
            if (history.isEmpty()) {
              counts.problem(last, "missing");
            } else if (!history.get().items().elements().equals(expected)) {
              counts.problem(last, "different");
            } else {
              counts.verified++;
            }
          }
        }
      }
      if (!deleted.isEmpty()) {
        List<String> ids = deleted;
        Set<String> tombstones = new HashSet<>();
        try (NamedSql.Binder statement = selectTombstones.prepare(connection)) {
          statement.texts("ids", ids);
          try (ResultSet rows = statement.statement.executeQuery()) {
            while (rows.next()) {
              tombstones.add(rows.getString(1));
            }
          }
        }
        for (String id : ids) {
          if (tombstones.contains(id)) {
            counts.verified++;
          } else {
            counts.problem(id, "missing");
          }
        }
      }
      if (last == null) {
        return;
      }
      after = last;
      progress.update("verify", checked);
    }
  }

  /** A turn to insert, with what the target needs besides the turn. */
  private record PlannedTurn(Turn turn, String conversationId, int depth, boolean deleted, LocalDateTime recordedAt) {}

  /** Running totals of one copy. */
  private static final class Counts {
    long rows;
    long sliced;
    long inserted;
    long present;
    long verified;
    long missing;
    long different;
    final List<String> samples = new ArrayList<>();

    void problem(String responseId, String kind) {
      if (kind.equals("missing")) {
        missing++;
      } else {
        different++;
      }
      if (samples.size() < SAMPLE_LIMIT) {
        samples.add(responseId + " (" + kind + ")");
      }
    }
  }
}
