package io.convstate.redis;

import io.convstate.ConfigurationException;
import io.convstate.History;
import io.convstate.ResponseConflictException;
import io.convstate.StateNotFoundException;
import io.convstate.StateStore;
import io.convstate.StorageException;
import io.convstate.StoreClosedException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.Validation;
import io.convstate.spi.BatchedCleanup;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StateStore} on Redis, standalone or Redis Cluster (type {@code redis}), through Lettuce.
 *
 * <h2>Data model</h2>
 * A conversation is one hash holding every turn of it, each turn stored once ({@link RedisKeys},
 * {@code record.lua}); the conversation's id is its first response's id. A response id's
 * <em>claim</em>, a small string on the id's own slot, names the conversation that holds the
 * turn: it makes ids unique across conversations and lets a read find the conversation. So:
 * <ul>
 *   <li>a history load is one claim lookup, then ONE script that walks the parent pointers inside
 *       the conversation's hash and returns every ancestor's fields in order;
 *   <li>recording a first turn is one script (its claim shares its conversation's slot); a turn
 *       that continues another is a claim lookup, one script that checks the previous turn
 *       (present, not deleted, same owner) and writes the new one create-only, and one write of
 *       the new id's claim. If another conversation claimed that id meanwhile, the turn, never
 *       readable, is taken back and the call is a conflict;
 *   <li>a delete writes a tombstone: the id stays taken, descendants keep their history;
 *   <li>every key of a conversation carries one hash tag, so every script touches one slot.
 * </ul>
 * A claim value is the conversation's nonce and id: a conversation removed and later started
 * again under the same id is a new incarnation, and claims of the old one read as absent.
 *
 * <h2>Retention and cleanup</h2>
 * With {@code retention}, a conversation's hash expires that long after its latest recording
 * (every recording refreshes it), so the whole conversation goes at once. Claims live on other
 * slots: they get twice the retention and are all refreshed once per retention by a recording,
 * so they always outlive their conversation (a claim whose conversation is gone reads as absent).
 * {@link #deleteInactiveBefore} reads each shard's activity index (a sorted set on the shard's
 * slot, updated atomically by every recording) and removes each conversation inactive since the
 * cutoff in one script that re-checks its activity, so a concurrent recording either keeps the
 * conversation or finds its previous turn gone.
 *
 * <h2>Failures</h2>
 * Lettuce reconnects by itself and, on a cluster, follows failovers through topology refreshes;
 * while a server cannot be reached, calls fail at once with
 * {@link io.convstate.StorageUnavailableException}. With {@code wait_replicas}, every write is
 * followed by {@code WAIT}, and fails as unavailable when fewer replicas acknowledged it in time.
 *
 * <p>Thread-safe; the connections are shared by every thread. {@code recorded_at} and activity
 * come from the given clock (milliseconds); TTLs are Redis's own time.
 */
public final class RedisStateStore implements StateStore, BatchedCleanup {

  private static final Logger LOG = LoggerFactory.getLogger(RedisStateStore.class);

  /** The stored format, recorded under the prefix so that a later release can tell. */
  private static final String FORMAT = "1";
  /** Conversations read from one shard's index per round of a cleanup. */
  private static final int CLEANUP_BATCH = 500;
  /** Shards whose indexes a cleanup reads at once. */
  private static final int CLEANUP_SHARDS_AT_ONCE = 64;
  private static final int NONCE_LENGTH = 16;
  private static final byte[] EMPTY = new byte[0];
  private static final byte[] WHOLE = {'1'};
  private static final byte[] ALONE = {'0'};

  private final RedisOptions options;
  private final RedisKeys keys;
  private final RedisLink link;
  private final Clock clock;
  private final byte[] retention;
  private final byte[] claimTtl;
  private final boolean prefixExists;
  private volatile boolean closed;

  /**
   * Opens a store: connects, and checks (or records, under a new prefix) the shard count.
   *
   * @param config the options (see the README); {@code $VAR} references already resolved
   * @param clock the source of every {@code recorded_at} and of activity
   * @throws ConfigurationException for a bad option, or a shard count other than the prefix's
   * @throws io.convstate.StorageUnavailableException when Redis cannot be reached
   */
  public RedisStateStore(StoreConfig config, Clock clock) {
    this(config, clock, false);
  }

  /**
   * With {@code inspectOnly} (for {@link RedisAdmin}), the opening writes nothing: a new prefix's
   * format is not recorded, the scripts are not loaded and the eviction policy is left to the
   * caller to report; {@link #prefixExists} says whether the prefix holds a store.
   */
  RedisStateStore(StoreConfig config, Clock clock, boolean inspectOnly) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.options = new RedisOptions(config);
    this.keys = new RedisKeys(options.prefix, new Shards(options.shards));
    this.retention = StoredTurns.ascii(options.retentionMillis());
    this.claimTtl = StoredTurns.ascii(2 * options.retentionMillis());
    this.link = RedisLink.open(options);
    try {
      prefixExists = checkFormat(!inspectOnly);
      if (!inspectOnly) {
        loadScripts();
        warnOnEviction();
      }
    } catch (RuntimeException e) {
      link.close();
      throw e;
    }
  }

  @Override
  public Turn record(Turn turn) {
    checkOpen();
    Validation.requireRecordable(turn, options.maxItemsBytes);
    String previousId = turn.previousResponseId().orElse(null);
    byte[] id = Wtf8.encode(turn.responseId());
    byte[] header = StoredTurns.header(turn);
    byte[] now = StoredTurns.ascii(clock.millis());
    Conversation conversation;
    if (previousId == null) {
      conversation = new Conversation(newNonce(), id);
    } else {
      conversation = lookup(Wtf8.encode(previousId));
      if (conversation == null) {
        throw new StateNotFoundException(previousId);
      }
    }
    byte[] hash = keys.conversation(conversation.id);
    byte[][] scriptKeys = previousId == null
        ? new byte[][] {hash, keys.index(conversation.id), keys.claim(id)}
        : new byte[][] {hash, keys.index(conversation.id)};
    List<Object> reply = call(link.write(hash, commands -> run(commands, Script.RECORD, ScriptOutputType.MULTI, scriptKeys,
        id,
        previousId == null ? EMPTY : Wtf8.encode(previousId),
        Wtf8.encode(turn.owner().orElse("")),
        header,
        Wtf8.encode(turn.input().toJson()),
        Wtf8.encode(turn.output().toJson()),
        turn.metadata().map(Wtf8::encode).orElse(EMPTY),
        now,
        retention,
        conversation.nonce,
        conversation.id,
        StoredTurns.ascii(turn.createdAt()),
        keys.conversationPrefix(conversation.id))));
    String outcome = new String(StoredTurns.bytes(reply.get(0)), StandardCharsets.US_ASCII);
    if (outcome.equals("missing")) {
      throw new StateNotFoundException(previousId);
    }
    if (outcome.equals("conflict")) {
      throw new ResponseConflictException(turn.responseId());
    }
    boolean created = outcome.equals("created");
    Conversation stored = new Conversation(StoredTurns.bytes(reply.get(1)), conversation.id);
    long start = StoredTurns.number(reply.get(2));
    long recordedAt = created ? clockMillis(now) : StoredTurns.number(reply.get(3));
    if (previousId != null && !claim(id, stored)) {
      if (created) {
        call(link.write(hash, commands -> run(commands, Script.UNRECORD, ScriptOutputType.INTEGER, new byte[][] {hash},
            id, header, now)));
      }
      throw new ResponseConflictException(turn.responseId());
    }
    if (created && reply.get(3) != null) {
      refreshClaims(hash, StoredTurns.bytes(reply.get(3)), reply.subList(4, reply.size()));
    }
    return turn.toBuilder().conversationCreatedAt(start).recordedAt(Instant.ofEpochMilli(recordedAt)).build();
  }

  @Override
  public void checkRecordable(Turn turn) {
    checkOpen();
    Validation.requireRecordable(turn, options.maxItemsBytes);
  }

  @Override
  public Optional<History> history(String owner, String responseId) {
    return Optional.ofNullable(StoredTurns.history(read(owner, responseId, WHOLE)));
  }

  /** One script call that reads the turn alone, after the id's claim. */
  @Override
  public Optional<Turn> turn(String owner, String responseId) {
    return Optional.ofNullable(StoredTurns.turn(read(owner, responseId, ALONE)));
  }

  @Override
  public boolean delete(String owner, String responseId) {
    checkOpen();
    Validation.requireOwner(owner);
    byte[] id = Wtf8.encode(Validation.requireName("response_id", responseId));
    Conversation conversation = lookup(id);
    if (conversation == null) {
      return false;
    }
    byte[] hash = keys.conversation(conversation.id);
    Long deleted = call(link.write(hash, commands -> run(commands, Script.DELETE, ScriptOutputType.INTEGER,
        new byte[][] {hash}, id, Wtf8.encode(owner == null ? "" : owner), conversation.nonce)));
    return deleted == 1;
  }

  @Override
  public long deleteInactiveBefore(Instant cutoff) {
    return deleteInactiveBefore(cutoff, removed -> { });
  }

  /**
   * As {@link #deleteInactiveBefore(Instant)}, reporting the running total after each group of
   * shards. Reads every shard's index (option {@code shards}), a group of shards at a time.
   */
  @Override
  public long deleteInactiveBefore(Instant cutoff, LongConsumer progress) {
    checkOpen();
    Validation.requireCutoff(cutoff);
    Objects.requireNonNull(progress, "progress");
    long cutoffMillis = ceilMillis(cutoff);
    long removed = 0;
    int shards = keys.shards().count();
    for (int from = 0; from < shards; from += CLEANUP_SHARDS_AT_ONCE) {
      List<Integer> pending = new ArrayList<>();
      for (int shard = from; shard < Math.min(shards, from + CLEANUP_SHARDS_AT_ONCE); shard++) {
        pending.add(shard);
      }
      while (!pending.isEmpty()) {
        List<CompletionStage<List<byte[]>>> candidates = new ArrayList<>();
        for (int shard : pending) {
          candidates.add(link.commands().zrangebyscore(keys.indexOfShard(shard),
              Range.from(Range.Boundary.unbounded(), Range.Boundary.excluding(cutoffMillis)),
              Limit.create(0, CLEANUP_BATCH)));
        }
        List<Integer> full = new ArrayList<>();
        List<CompletableFuture<Long>> removals = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
          List<byte[]> members = call(candidates.get(i));
          if (members.size() == CLEANUP_BATCH) {
            full.add(pending.get(i));
          }
          for (byte[] member : members) {
            removals.add(removeIfInactive(pending.get(i), member, cutoffMillis).toCompletableFuture());
          }
        }
        call(CompletableFuture.allOf(removals.toArray(new CompletableFuture<?>[0])));
        for (CompletableFuture<Long> removal : removals) {
          removed += removal.join();
        }
        pending = full;
      }
      progress.accept(removed);
    }
    return removed;
  }

  /** Whether this store talks to a Redis Cluster (as configured, or as found in mode auto). */
  public boolean isCluster() {
    return link.cluster();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      link.close();
    }
  }

  /** For {@link RedisAdmin}: whether the prefix held a store at open, and the connections and key names. */
  boolean prefixExists() {
    return prefixExists;
  }

  RedisLink link() {
    return link;
  }

  RedisKeys keys() {
    return keys;
  }

  RedisOptions options() {
    return options;
  }

  @Override
  public String toString() {
    return "RedisStateStore[" + link.description() + (link.cluster() ? ", cluster" : ", standalone") + ", prefix="
        + options.prefix + (closed ? ", closed" : "") + "]";
  }

  // ---------------------------------------------------------------------------------------------

  /** A conversation as a claim names it: its nonce (16 ASCII characters) and id. */
  private static final class Conversation {
    final byte[] nonce;
    final byte[] id;

    Conversation(byte[] nonce, byte[] id) {
      this.nonce = nonce;
      this.id = id;
    }

    byte[] claimValue() {
      return RedisKeys.concat(nonce, id);
    }
  }

  /** The conversation holding a response id's turn, from its claim; null when unclaimed. */
  private Conversation lookup(byte[] responseId) {
    byte[] claim = call(link.commands().get(keys.claim(responseId)));
    if (claim == null) {
      return null;
    }
    if (claim.length <= NONCE_LENGTH) {
      throw new StorageException("The claim of a response id holds " + claim.length + " bytes, not a nonce and an id");
    }
    return new Conversation(Arrays.copyOf(claim, NONCE_LENGTH), Arrays.copyOfRange(claim, NONCE_LENGTH, claim.length));
  }

  private List<Object> read(String owner, String responseId, byte[] whole) {
    checkOpen();
    Validation.requireOwner(owner);
    byte[] id = Wtf8.encode(Validation.requireName("response_id", responseId));
    Conversation conversation = lookup(id);
    if (conversation == null) {
      return List.of();
    }
    byte[] hash = keys.conversation(conversation.id);
    return call(run(link.commands(), Script.HISTORY, ScriptOutputType.MULTI, new byte[][] {hash},
        id, Wtf8.encode(owner == null ? "" : owner), conversation.nonce, whole));
  }

  /** Claims a continuing turn's id for its conversation; false when another conversation holds it. */
  private boolean claim(byte[] responseId, Conversation conversation) {
    byte[] claim = keys.claim(responseId);
    Long claimed = call(link.write(claim, commands -> run(commands, Script.CLAIM, ScriptOutputType.INTEGER,
        new byte[][] {claim}, conversation.claimValue(), claimTtl)));
    return claimed == 1;
  }

  /**
   * Gives every claim of a conversation twice the retention again, then notes when. A failure
   * only logs: the recording stands, and the next one retries the refresh.
   */
  private void refreshClaims(byte[] hash, byte[] serverTime, List<Object> responseIds) {
    try {
      List<CompletableFuture<Boolean>> refreshes = new ArrayList<>();
      for (Object responseId : responseIds) {
        byte[] claim = keys.claim(StoredTurns.bytes(responseId));
        refreshes.add(link.write(claim, commands -> commands.pexpire(claim, 2 * options.retentionMillis()))
            .toCompletableFuture());
      }
      call(CompletableFuture.allOf(refreshes.toArray(new CompletableFuture<?>[0])));
      call(link.write(hash, commands -> run(commands, Script.REFRESHED, ScriptOutputType.INTEGER, new byte[][] {hash},
          serverTime)));
    } catch (RuntimeException e) {
      LOG.warn("Refreshing the TTL of {} claims on Redis at {} failed; the next recording retries: {}",
          responseIds.size(), link.description(), e.getMessage());
    }
  }

  /** Removes one conversation if still inactive, then releases its claims; the turns removed. */
  private CompletionStage<Long> removeIfInactive(int shard, byte[] conversationId, long cutoffMillis) {
    byte[] hash = keys.conversationInShard(shard, conversationId);
    byte[] index = keys.indexOfShard(shard);
    CompletionStage<List<Object>> removal = link.write(hash, commands -> run(commands, Script.REMOVE_INACTIVE,
        ScriptOutputType.MULTI, new byte[][] {hash, index}, conversationId, StoredTurns.ascii(cutoffMillis)));
    return removal.thenCompose(reply -> {
      long count = StoredTurns.number(reply.get(0));
      if (count == 0) {
        return CompletableFuture.completedFuture(0L);
      }
      byte[] claimValue = new Conversation(StoredTurns.bytes(reply.get(1)), conversationId).claimValue();
      List<CompletableFuture<Long>> releases = new ArrayList<>();
      for (Object responseId : reply.subList(2, reply.size())) {
        byte[] claim = keys.claim(StoredTurns.bytes(responseId));
        releases.add(link.write(claim, commands -> this.<Long>run(commands, Script.RELEASE_CLAIM, ScriptOutputType.INTEGER,
            new byte[][] {claim}, claimValue)).toCompletableFuture());
      }
      return CompletableFuture.allOf(releases.toArray(new CompletableFuture<?>[0])).thenApply(done -> count);
    });
  }

  /** Runs a script by its SHA-1, sending its source once when the server does not know it. */
  private <T> CompletionStage<T> run(
      RedisClusterAsyncCommands<byte[], byte[]> commands, Script script, ScriptOutputType type, byte[][] scriptKeys,
      byte[]... args) {
    CompletionStage<T> bySha = commands.evalsha(script.sha(), type, scriptKeys, args);
    return bySha.handle((result, failure) -> {
      if (failure == null) {
        return CompletableFuture.completedFuture(result);
      }
      if (RedisErrors.isNoScript(failure)) {
        return commands.<T>eval(script.source(), type, scriptKeys, args);
      }
      return CompletableFuture.<T>failedFuture(failure);
    }).thenCompose(stage -> stage);
  }

  private <T> T call(CompletionStage<T> stage) {
    try {
      return link.await(stage);
    } catch (RuntimeException e) {
      if (closed) {
        throw new StoreClosedException("redis state store");
      }
      throw e;
    }
  }

  /**
   * Checks the prefix's format and shard count; with {@code record}, records them under a new
   * prefix first.
   *
   * @return whether the prefix holds a store (always, after recording)
   */
  private boolean checkFormat(boolean record) {
    byte[] meta = keys.meta();
    if (record) {
      byte[] shards = StoredTurns.ascii(options.shards);
      call(link.write(meta, commands -> commands.hsetnx(meta, "format".getBytes(StandardCharsets.US_ASCII),
          FORMAT.getBytes(StandardCharsets.US_ASCII))));
      call(link.write(meta, commands -> commands.hsetnx(meta, "shards".getBytes(StandardCharsets.US_ASCII), shards)));
    }
    List<io.lettuce.core.KeyValue<byte[], byte[]>> stored = call(link.commands().hmget(meta,
        "format".getBytes(StandardCharsets.US_ASCII), "shards".getBytes(StandardCharsets.US_ASCII)));
    if (!record && !stored.get(0).hasValue() && !stored.get(1).hasValue()) {
      return false;
    }
    String format = stored.get(0).hasValue() ? new String(stored.get(0).getValue(), StandardCharsets.US_ASCII) : "?";
    String storedShards = stored.get(1).hasValue() ? new String(stored.get(1).getValue(), StandardCharsets.US_ASCII) : "?";
    if (!FORMAT.equals(format)) {
      throw new ConfigurationException("The keys under prefix '" + options.prefix + "' on Redis at " + link.description()
          + " are in format " + format + ", which this release does not read (it reads format " + FORMAT + ")");
    }
    if (!storedShards.equals(Integer.toString(options.shards))) {
      throw new ConfigurationException("The keys under prefix '" + options.prefix + "' on Redis at " + link.description()
          + " were written with shards=" + storedShards + ", and option 'shards' is " + options.shards
          + "; set shards=" + storedShards + " (the shard count cannot change once written) or use another prefix");
    }
    return true;
  }

  /**
   * Loads the scripts into the server's cache (on a cluster, every master's), so that calls need
   * no fallback to EVAL; a server that forgets them later (restart, failover) gets them again on
   * first use. A user without SCRIPT LOAD permission does without.
   */
  private void loadScripts() {
    for (Script script : Script.values()) {
      try {
        call(link.commands().scriptLoad(script.source()));
      } catch (StorageException e) {
        LOG.debug("SCRIPT LOAD of {} failed on Redis at {}; it is sent on first use: {}", script, link.description(),
            e.getMessage());
      }
    }
  }

  /** An eviction policy may drop acknowledged turns silently: say so once, at open. */
  private void warnOnEviction() {
    String info;
    try {
      info = call(link.commands().info("memory"));
    } catch (StorageException e) {
      LOG.debug("INFO memory is not available on Redis at {}: {}", link.description(), e.getMessage());
      return;
    }
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("maxmemory_policy:")) {
        String policy = line.substring("maxmemory_policy:".length()).strip();
        if (!policy.equals("noeviction")) {
          LOG.warn("Redis at {} has maxmemory-policy {}: when it reaches maxmemory it may evict conversation state"
              + " that was acknowledged; use noeviction for a store (writes then fail instead)", link.description(), policy);
        }
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException("redis state store");
    }
  }

  private static byte[] newNonce() {
    String hex = String.format("%016x", ThreadLocalRandom.current().nextLong());
    return hex.getBytes(StandardCharsets.US_ASCII);
  }

  private static long clockMillis(byte[] ascii) {
    return Long.parseLong(new String(ascii, StandardCharsets.US_ASCII));
  }

  /** The first whole millisecond not before the cutoff, within the exact range of a score. */
  private static long ceilMillis(Instant cutoff) {
    long limit = 1L << 53;
    if (cutoff.isAfter(Instant.ofEpochMilli(limit))) {
      return limit;
    }
    if (cutoff.isBefore(Instant.ofEpochMilli(-limit))) {
      return -limit;
    }
    long millis = cutoff.toEpochMilli();
    return cutoff.getNano() % 1_000_000 == 0 ? millis : millis + 1;
  }
}
