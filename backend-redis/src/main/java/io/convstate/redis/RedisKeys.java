package io.convstate.redis;

import java.nio.charset.StandardCharsets;

/**
 * The names of the store's keys, all under one prefix (option {@code prefix}):
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>type</th><th>holds</th></tr>
 *   <tr><td>{@code P:{T}:c:<conversation id>}</td><td>hash</td><td>a conversation: every turn of
 *       it, its start, activity and nonce; its TTL is the retention</td></tr>
 *   <tr><td>{@code P:{T}:a}</td><td>sorted set</td><td>a shard's activity index: conversation id
 *       scored by last activity (ms), for cleanup</td></tr>
 *   <tr><td>{@code P:{T}:r:<response id>}</td><td>string</td><td>a response id's claim: the nonce
 *       and id of the conversation that holds its turn</td></tr>
 *   <tr><td>{@code P:meta}</td><td>hash</td><td>the format and shard count this prefix was written
 *       with</td></tr>
 * </table>
 *
 * <p>{@code T} is the tag of a shard ({@link Shards}): a conversation's shard is that of its id
 * (its first response's id), a claim's that of its response id. A first turn's claim thus shares
 * its conversation's slot. Ids are written as {@link Wtf8} bytes. Immutable and thread-safe.
 */
final class RedisKeys {

  private final String prefix;
  private final Shards shards;
  private final byte[][] conversationPrefixes;
  private final byte[][] claimPrefixes;
  private final byte[][] indexes;

  RedisKeys(String prefix, Shards shards) {
    this.prefix = prefix;
    this.shards = shards;
    this.conversationPrefixes = new byte[shards.count()][];
    this.claimPrefixes = new byte[shards.count()][];
    this.indexes = new byte[shards.count()][];
    for (int shard = 0; shard < shards.count(); shard++) {
      String tagged = prefix + ":{" + shards.tag(shard) + "}:";
      conversationPrefixes[shard] = ascii(tagged + "c:");
      claimPrefixes[shard] = ascii(tagged + "r:");
      indexes[shard] = ascii(tagged + "a");
    }
  }

  Shards shards() {
    return shards;
  }

  /** The conversation hash of a conversation id (its first response's id, as bytes). */
  byte[] conversation(byte[] conversationId) {
    return concat(conversationPrefixes[shards.of(conversationId)], conversationId);
  }

  /** The prefix of the conversation keys of a conversation id's shard. */
  byte[] conversationPrefix(byte[] conversationId) {
    return conversationPrefixes[shards.of(conversationId)];
  }

  /** The activity index of a conversation id's shard. */
  byte[] index(byte[] conversationId) {
    return indexes[shards.of(conversationId)];
  }

  /** The activity index of a shard. */
  byte[] indexOfShard(int shard) {
    return indexes[shard];
  }

  /** The conversation hash of a conversation of a given shard. */
  byte[] conversationInShard(int shard, byte[] conversationId) {
    return concat(conversationPrefixes[shard], conversationId);
  }

  /** The claim of a response id. */
  byte[] claim(byte[] responseId) {
    return concat(claimPrefixes[shards.of(responseId)], responseId);
  }

  /** The hash recording the format this prefix was written with. */
  byte[] meta() {
    return ascii(prefix + ":meta");
  }

  /** A glob matching every key of this prefix (for tools and tests). */
  String pattern() {
    return prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1") + ":*";
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = new byte[a.length + b.length];
    System.arraycopy(a, 0, joined, 0, a.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }
}
