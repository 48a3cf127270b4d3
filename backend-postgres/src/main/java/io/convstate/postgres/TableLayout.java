package io.convstate.postgres;

import io.convstate.History;
import io.convstate.Turn;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.Optional;

/**
 * The SQL of one {@link Layout}, run on a connection the store lends for one call. Arguments are
 * already validated; owners compare with {@code IS NOT DISTINCT FROM} (null sees only unscoped
 * turns). Implementations are immutable and thread-safe; the connection is in autocommit mode and
 * is left so.
 */
interface TableLayout {

  /**
   * Records a turn at {@code now} (UTC wall clock) as {@link io.convstate.StateStore#record}
   * describes; the result of the one statement that tries it.
   */
  RecordOutcome record(Connection connection, Turn turn, LocalDateTime now) throws SQLException;

  /**
   * Whether the stored turn of {@code turn}'s id records the same thing (items and metadata equal
   * as jsonb, not deleted); empty when no turn holds the id.
   */
  Optional<StoredRecord> sameRecord(Connection connection, Turn turn) throws SQLException;

  /** The history of a readable response, in one statement. */
  Optional<History> history(Connection connection, String owner, String responseId) throws SQLException;

  /** A readable response's own turn, in one statement. */
  Optional<Turn> turn(Connection connection, String owner, String responseId) throws SQLException;

  /** Tombstones a readable response; whether one was. */
  boolean delete(Connection connection, String owner, String responseId) throws SQLException;

  /**
   * One cleanup batch in its own short transaction: removes at most {@code batchSize}
   * conversations (or rows) inactive since before {@code cutoff} that no other caller holds locked.
   */
  CleanupBatch deleteInactiveBatch(Connection connection, LocalDateTime cutoff, int batchSize) throws SQLException;

  /**
   * Binds what both layouts' recording statements take: the turn's ids, owner, items, model,
   * provider, created_at, metadata, and {@code now}.
   */
  static NamedSql.Binder bindTurn(NamedSql.Binder statement, Turn turn, LocalDateTime now) throws SQLException {
    statement.text("response_id", turn.responseId())
        .text("owner", turn.owner().orElse(null))
        .text("input", turn.input().toJson())
        .text("output", turn.output().toJson())
        .text("model", turn.model())
        .text("provider", turn.provider())
        .number("created_at", turn.createdAt())
        .text("metadata", turn.metadata().orElse(null))
        .timestamp("now", now);
    if (turn.previousResponseId().isPresent()) {
      statement.text("previous_response_id", turn.previousResponseId().get());
    }
    return statement;
  }

  /**
   * Binds what both layouts' same-record queries compare (the turn's ids, owner, model, provider,
   * created_at, items and metadata), runs it and reads the row it finds: same, the conversation's
   * start, recorded_at.
   */
  static Optional<StoredRecord> sameRecord(NamedSql.Binder statement, Turn turn) throws SQLException {
    statement.text("response_id", turn.responseId())
        .text("previous_response_id", turn.previousResponseId().orElse(null))
        .text("owner", turn.owner().orElse(null))
        .text("model", turn.model())
        .text("provider", turn.provider())
        .number("created_at", turn.createdAt())
        .text("input", turn.input().toJson())
        .text("output", turn.output().toJson())
        .text("metadata", turn.metadata().orElse(null));
    try (java.sql.ResultSet row = statement.statement.executeQuery()) {
      if (!row.next()) {
        return Optional.empty();
      }
      return Optional.of(new StoredRecord(row.getBoolean(1), row.getLong(2), row.getObject(3, LocalDateTime.class)));
    }
  }

  /** Runs a bound recording statement and reads its one row: found, taken, activity, created. */
  static RecordOutcome recordOutcome(NamedSql.Binder statement) throws SQLException {
    try (java.sql.ResultSet row = statement.statement.executeQuery()) {
      row.next();
      long created = row.getLong(4);
      Long inserted = row.wasNull() ? null : created;
      return new RecordOutcome(row.getBoolean(1), row.getBoolean(2), row.getBoolean(3), inserted);
    }
  }

  /**
   * What one recording statement found.
   *
   * @param previousFound the previous response was readable by the turn's owner (true for a first turn)
   * @param taken the response id already held a turn when the statement started
   * @param activityFound the conversation's activity row was there to refresh (a concurrent cleanup
   *     had not removed the conversation)
   * @param conversationCreatedAt the inserted turn's conversation start; null when nothing was inserted
   */
  record RecordOutcome(boolean previousFound, boolean taken, boolean activityFound, Long conversationCreatedAt) {}

  /** A stored turn compared with one being recorded, and the fields the store set on it. */
  record StoredRecord(boolean same, long conversationCreatedAt, LocalDateTime recordedAt) {}

  /**
   * One cleanup batch.
   *
   * @param claimed conversations (turn layout) or rows (seed layout) this batch took; 0 when
   *     nothing was left to take
   * @param turnsRemoved turns (rows) removed
   */
  record CleanupBatch(long claimed, long turnsRemoved) {}
}
