package io.convstate.redis;

import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.StorageException;
import io.convstate.Turn;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A turn's fields as the scripts keep them, and turns and histories rebuilt from what
 * {@code history.lua} returns. A header holds the fields a script compares or walks:
 * {@code previous NUL owner NUL model NUL provider NUL created_at NUL #input NUL #output}, with an
 * empty previous id or owner for none (neither may be blank, nor hold a NUL). Stateless.
 */
final class StoredTurns {

  /** The fields history.lua returns per turn: id, header, input, output, metadata, recorded_at. */
  private static final int FIELDS = 6;

  private StoredTurns() {}

  /** The header of a turn to record. */
  static byte[] header(Turn turn) {
    ByteArrayOutputStream header = new ByteArrayOutputStream(128);
    write(header, Wtf8.encode(turn.previousResponseId().orElse("")));
    write(header, Wtf8.encode(turn.owner().orElse("")));
    write(header, Wtf8.encode(turn.model()));
    write(header, Wtf8.encode(turn.provider()));
    write(header, ascii(turn.createdAt()));
    write(header, ascii(turn.input().size()));
    header.writeBytes(ascii(turn.output().size()));
    return header.toByteArray();
  }

  /** The history in a reply of history.lua (whole), or null when the reply says absent. */
  static History history(List<Object> reply) {
    List<Turn> turns = turns(reply);
    if (turns == null) {
      return null;
    }
    Collections.reverse(turns);
    try {
      return History.of(turns);
    } catch (IllegalArgumentException e) {
      throw new StorageException("A stored history does not form a chain: " + e.getMessage(), e);
    }
  }

  /** The one turn in a reply of history.lua (turn alone), or null when the reply says absent. */
  static Turn turn(List<Object> reply) {
    List<Turn> turns = turns(reply);
    return turns == null ? null : turns.get(0);
  }

  /** The turns of a reply, from the response back to the first; null when absent. */
  private static List<Turn> turns(List<Object> reply) {
    if (reply.isEmpty()) {
      return null;
    }
    if ((reply.size() - 1) % FIELDS != 0) {
      throw new StorageException("history.lua returned " + reply.size() + " values, not 1 + 6 per turn");
    }
    long start = number(reply.get(0));
    List<Turn> turns = new ArrayList<>((reply.size() - 1) / FIELDS);
    for (int i = 1; i < reply.size(); i += FIELDS) {
      turns.add(turn(reply, i, start));
    }
    return turns;
  }

  private static Turn turn(List<Object> reply, int at, long start) {
    String id = Wtf8.decode(bytes(reply.get(at)));
    byte[] header = bytes(reply.get(at + 1));
    List<String> parts = split(header);
    if (parts.size() != 7) {
      throw new StorageException("The stored turn of '" + id + "' has a header of " + parts.size() + " fields, not 7");
    }
    Object metadata = reply.get(at + 4);
    return Turn.builder(id)
        .previousResponseId(parts.get(0).isEmpty() ? null : parts.get(0))
        .owner(parts.get(1).isEmpty() ? null : parts.get(1))
        .model(parts.get(2))
        .provider(parts.get(3))
        .createdAt(Long.parseLong(parts.get(4)))
        .input(InputItems.ofStored(Wtf8.decode(bytes(reply.get(at + 2))), Integer.parseInt(parts.get(5))))
        .output(InputItems.ofStored(Wtf8.decode(bytes(reply.get(at + 3))), Integer.parseInt(parts.get(6))))
        .metadata(metadata == null ? null : Wtf8.decode(bytes(metadata)))
        .conversationCreatedAt(start)
        .recordedAt(Instant.ofEpochMilli(number(reply.get(at + 5))))
        .build();
  }

  /** A reply value as a whole number (a bulk string of digits or an integer reply). */
  static long number(Object value) {
    if (value instanceof Long) {
      return (Long) value;
    }
    return Long.parseLong(new String(bytes(value), StandardCharsets.US_ASCII));
  }

  static byte[] bytes(Object value) {
    if (!(value instanceof byte[])) {
      throw new StorageException("A script returned " + (value == null ? "nil" : value.getClass().getSimpleName())
          + " where a string was expected");
    }
    return (byte[]) value;
  }

  static byte[] ascii(long number) {
    return Long.toString(number).getBytes(StandardCharsets.US_ASCII);
  }

  private static List<String> split(byte[] header) {
    List<String> parts = new ArrayList<>(7);
    int from = 0;
    for (int i = 0; i <= header.length; i++) {
      if (i == header.length || header[i] == 0) {
        parts.add(Wtf8.decode(header, from, i - from));
        from = i + 1;
      }
    }
    return parts;
  }

  private static void write(ByteArrayOutputStream out, byte[] part) {
    out.writeBytes(part);
    out.write(0);
  }
}
