package io.convstate.redis;

import io.lettuce.core.codec.CRC16;
import java.nio.charset.StandardCharsets;

/**
 * The hash tags that place keys in Redis Cluster slots. Ids are spread over {@code shards}
 * shards (a power of two up to 16,384) by the CRC16 slot of their bytes; shard k's tag is the
 * shortest base-36 string whose slot is {@code k * 16384 / shards}, so the shards sit on evenly
 * spaced slots and spread over a cluster's masters as evenly as its slot ranges.
 *
 * <p>Every key of a conversation, and the activity index of its shard, carry the shard's tag:
 * one slot per conversation, and an index that a record script updates atomically. With 16,384
 * shards every slot is used, exactly as if keys were tagged by conversation id.
 *
 * <p>The tags are part of the stored format: they never change. Immutable and thread-safe.
 */
final class Shards {

  static final int SLOTS = 16_384;

  /** The tag of each slot, computed once: a search of about 170,000 CRC16s. */
  private static final String[] SLOT_TAGS = slotTags();

  private final int count;
  private final int step;

  /** @param count a power of two from 1 to 16,384 */
  Shards(int count) {
    if (count < 1 || count > SLOTS || Integer.bitCount(count) != 1) {
      throw new IllegalArgumentException("shards must be a power of two from 1 to 16384: " + count);
    }
    this.count = count;
    this.step = SLOTS / count;
  }

  int count() {
    return count;
  }

  /** The shard of an id's bytes. */
  int of(byte[] id) {
    return (CRC16.crc16(id) % SLOTS) & (count - 1);
  }

  /** The hash tag of a shard, without braces. */
  String tag(int shard) {
    return SLOT_TAGS[shard * step];
  }

  /** The slot every key of a shard hashes to. */
  int slot(int shard) {
    return shard * step;
  }

  private static String[] slotTags() {
    String[] tags = new String[SLOTS];
    int found = 0;
    for (int n = 0; found < SLOTS; n++) {
      String candidate = Integer.toString(n, 36);
      int slot = CRC16.crc16(candidate.getBytes(StandardCharsets.US_ASCII)) % SLOTS;
      if (tags[slot] == null) {
        tags[slot] = candidate;
        found++;
      }
    }
    return tags;
  }
}
