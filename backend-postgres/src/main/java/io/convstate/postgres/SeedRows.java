package io.convstate.postgres;

import io.convstate.InputItems;
import io.convstate.Turn;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads seed-layout rows back as turns. A row's {@code turns} column holds one descriptor per turn
 * of its history, first turn first:
 * <pre>{"id": "resp_1", "in": 1, "out": 2, "created_at": 1767225600, "model": "m", "provider": "p",
 *  "metadata": {...} or null, "recorded_at": "2026-01-01T00:00:00Z"}</pre>
 * where {@code in} and {@code out} count that turn's input and output items, which follow each
 * other in {@code input_items}. The row's items are sliced by these counts, so a history read here
 * has the same turns, item texts and item ids as the turn layout's.
 *
 * <p>A row without descriptors (written by another tool, plano or convstate 0.1), or whose items no
 * longer match them (another tool overwrote them), reads as a one-turn history: its input is all
 * its items, its output is empty, and it continues nothing.
 *
 * <p>Stateless; the query must select {@link #COLUMNS} from {@code %TABLE% s} joined with
 * {@code jsonb_array_elements(s.turns) WITH ORDINALITY AS d (t, n)}, ordered by row, then {@code d.n}.
 */
final class SeedRows {

  private static final Logger LOG = LoggerFactory.getLogger(SeedRows.class);

  /** The selected columns: the row's fields, its items once (on its first line), then one descriptor per line. */
  static final String COLUMNS = "s.response_id, s.owner, s.deleted, coalesce(s.conversation_id, s.response_id),"
      + " s.created_at, s.model, s.provider, s.updated_at,"
      + " CASE WHEN d.n IS NULL OR d.n = 1 THEN s.input_items::text END,"
      + " CASE WHEN d.n IS NULL THEN jsonb_array_length(s.input_items) END,"
      + " d.n, d.t ->> 'id', (d.t ->> 'in')::int, (d.t ->> 'out')::int, (d.t ->> 'created_at')::bigint,"
      + " d.t ->> 'model', d.t ->> 'provider', nullif(d.t -> 'metadata', 'null'::jsonb)::text, d.t ->> 'recorded_at'";

  /**
   * One seed row, read as the chain of turns its items hold.
   *
   * @param sliced whether its turns come from its descriptors (false: it reads as one turn)
   */
  record Row(String responseId, String owner, boolean deleted, String conversationId, LocalDateTime updatedAt,
      boolean sliced, List<Turn> turns) {}

  private record Descriptor(String id, int in, int out, long createdAt, String model, String provider,
      String metadata, String recordedAt) {}

  private SeedRows() {}

  /** Every row the result holds, in its order. */
  static List<Row> read(ResultSet rows) throws SQLException {
    List<Row> result = new ArrayList<>();
    boolean more = rows.next();
    while (more) {
      String responseId = rows.getString(1);
      String owner = rows.getString(2);
      boolean deleted = rows.getBoolean(3);
      String conversationId = rows.getString(4);
      long createdAt = rows.getLong(5);
      String model = rows.getString(6);
      String provider = rows.getString(7);
      LocalDateTime updatedAt = rows.getObject(8, LocalDateTime.class);
      String items = rows.getString(9);
      int count = rows.getInt(10);
      rows.getLong(11);
      boolean described = !rows.wasNull();
      List<Descriptor> descriptors = new ArrayList<>();
      do {
        if (described) {
          descriptors.add(new Descriptor(rows.getString(12), rows.getInt(13), rows.getInt(14), rows.getLong(15),
              rows.getString(16), rows.getString(17), rows.getString(18), rows.getString(19)));
        }
        more = rows.next();
      } while (more && described && responseId.equals(rows.getString(1)));
      Instant recorded = updatedAt == null ? null : updatedAt.toInstant(ZoneOffset.UTC);
      List<Turn> turns = described ? describedTurns(responseId, owner, createdAt, recorded, items, descriptors) : null;
      boolean sliced = turns != null;
      if (!sliced) {
        InputItems all = described ? InputItems.parse(items) : InputItems.ofStored(items, count);
        turns = List.of(Turn.builder(responseId).owner(owner).input(all).model(model).provider(provider)
            .createdAt(createdAt).conversationCreatedAt(createdAt).recordedAt(recorded).build());
      }
      result.add(new Row(responseId, owner, deleted, conversationId, updatedAt, sliced, turns));
    }
    return result;
  }

  /** The turns the descriptors describe; null when they do not match the row's items. */
  private static List<Turn> describedTurns(String responseId, String owner, long conversationCreatedAt, Instant updatedAt,
      String items, List<Descriptor> descriptors) {
    int total = 0;
    for (Descriptor descriptor : descriptors) {
      total += descriptor.in + descriptor.out;
    }
    List<String> elements;
    try {
      elements = InputItems.ofStored(items, total).elements();
    } catch (IllegalStateException | IllegalArgumentException e) {
      LOG.warn("Row '{}' holds items its turns column does not describe (another tool rewrote it?); it reads as one turn", responseId);
      return null;
    }
    if (!descriptors.get(descriptors.size() - 1).id.equals(responseId)) {
      LOG.warn("Row '{}' has a turns column that ends with another response; it reads as one turn", responseId);
      return null;
    }
    List<Turn> turns = new ArrayList<>(descriptors.size());
    int offset = 0;
    String previous = null;
    for (int i = 0; i < descriptors.size(); i++) {
      Descriptor descriptor = descriptors.get(i);
      boolean last = i == descriptors.size() - 1;
      Instant recordedAt = last || descriptor.recordedAt == null ? updatedAt : Instant.parse(descriptor.recordedAt);
      turns.add(Turn.builder(descriptor.id)
          .previousResponseId(previous)
          .owner(owner)
          .input(slice(elements, offset, descriptor.in))
          .output(slice(elements, offset + descriptor.in, descriptor.out))
          .model(descriptor.model)
          .provider(descriptor.provider)
          .createdAt(descriptor.createdAt)
          .conversationCreatedAt(conversationCreatedAt)
          .metadata(TurnTable.metadata(descriptor.metadata))
          .recordedAt(recordedAt)
          .build());
      offset += descriptor.in + descriptor.out;
      previous = descriptor.id;
    }
    return turns;
  }

  /** Items {@code from} to {@code from + count} as jsonb would render them on their own. */
  private static InputItems slice(List<String> elements, int from, int count) {
    if (count == 0) {
      return InputItems.empty();
    }
    return InputItems.ofStored("[" + String.join(", ", elements.subList(from, from + count)) + "]", count);
  }
}
