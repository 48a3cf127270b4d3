package io.convstate.cached;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.convstate.History;
import io.convstate.StateNotFoundException;
import io.convstate.StateStore;
import io.convstate.StorageException;
import io.convstate.StoreClosedException;
import io.convstate.Turn;
import io.convstate.Validation;
import io.convstate.spi.BatchedCleanup;
import io.convstate.spi.Invalidation;
import io.convstate.spi.InvalidationSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;

/**
 * A Caffeine near cache in front of another {@link StateStore} (type {@code cached}). It keeps
 * the {@link History} of recently recorded and read responses, so that continuing a conversation
 * on the instance that served its last turn reads nothing from the delegate.
 *
 * <p><b>Reads</b> ({@link #history}, and {@link #turn} and {@link #inputItems}, which read the
 * history): a hit returns the cached history when the caller's owner is its owner. A miss loads
 * from the delegate once, however many threads miss the same id at once; they all get that load's
 * result or its exception, and a failed load leaves nothing cached. An id cached for another owner
 * reads exactly as a miss on an absent id does: the delegate is asked, and answers empty. Absence
 * is not remembered unless a {@linkplain Builder#negativeTtl negative TTL} is set.
 *
 * <p><b>Recording</b> always writes through: {@code delegate.record(turn)} does every check and
 * writes the new turn only. When the previous response's history is cached, the new response's
 * history is that history followed by the stored turn, cached without reading anything; otherwise
 * the new id is left to load on its first read (a first turn is cached as it is).
 *
 * <p><b>Deletes and cleanup</b> write through, then drop what they may have made unreadable:
 * {@link #delete} drops the id; {@link #deleteInactiveBefore} drops every cached history of a
 * conversation that it cannot prove was active since the cutoff (see the design notes). Both do
 * so even when the delegate fails, since a failed call may have removed something. A failed
 * {@link #record} drops the new id as well.
 *
 * <p><b>Memory.</b> The bound ({@code maximum_weight}) is in bytes of turns: items and metadata
 * JSON plus a small fixed overhead. A history built on a cached one shares it whole and weighs
 * only the turn it adds, so a 1,000-turn conversation recorded through the cache weighs its turns
 * once, not 1,000 growing histories; a history loaded from the delegate weighs all its turns.
 *
 * <p><b>Several instances</b> sharing one delegate: when the delegate is an
 * {@link InvalidationSource} (PostgreSQL, through {@code LISTEN/NOTIFY}), the cache subscribes and
 * drops what another instance deleted (the ids) or cleaned up (what its own cleanup rule drops for
 * that cutoff), typically well under a second later. Delivery is best effort, so the bound
 * remains: an instance may serve a history that another instance has since deleted or cleaned up
 * for at most {@code expire_after_write} (and remember an absence for at most the negative TTL).
 * Recorded turns never change, so this concerns only deletes and cleanup.
 *
 * <p>Thread-safe; no lock is held while the delegate is called. {@link #close()} closes the
 * delegate.
 */
public final class CachedStateStore implements StateStore, BatchedCleanup {

  /*
   * Design notes
   *
   * The map. Caffeine's AsyncCache maps a response id to a future of an Entry: a History (what a
   * read of that id returns to its owner) or a remembered absence. The history of a response
   * never changes once recorded (turns are create-only and immutable; deleting an ancestor does
   * not change a descendant's history), so a cached history goes stale in one way only: its id
   * becomes unreadable (deleted, or removed by cleanup). Every rule below serves that.
   *
   * Single flight. A miss installs an incomplete future with computeIfAbsent and reads the
   * delegate on the caller's thread; every other thread that misses the same id meanwhile finds
   * that future and waits for it. A failed read completes the future with the failure wrapped in
   * a CancellationException (FailedLoad): Caffeine drops such a future without logging a stack
   * trace per failed miss, and the waiters unwrap the same exception. An absence is read for one
   * owner (the delegate answers "absent" for another owner's response too), so a waiter of
   * another owner does not trust it and reads for itself; without a negative TTL the loader drops
   * the absence at once.
   *
   * Write wins. A load may read the delegate before a delete or a cleanup and finish after it.
   * It never puts the old history back, because a load only ever completes its own future, and
   * the delete or cleanup removes that future from the map (after the delegate call): when the
   * load finishes, its future is no longer mapped, and Caffeine ignores it. Readers that were
   * already waiting get the old answer, which was true when they asked.
   *
   * The other race is a record against a delete of the same id: the delegate records, a delete
   * removes, the delete drops the id from the map, and only then does the record put its history.
   * Instead of a lock around the delegate call (which would make every id of a stripe wait behind
   * one slow call), deletes bump a counter of their stripe after the delegate answered and before
   * dropping the id; a record reads the counter before calling the delegate, puts its history,
   * and takes it out again when the counter moved. Whatever the interleaving, either the record
   * sees the bump or the delete's drop comes after the record's put.
   *
   * Weights of shared histories. An entry built on the cached entry of its previous response
   * (Entry.then) holds that entry's history and weighs only its own turn; a loaded entry weighs
   * its whole history. That is honest only while the entry built on stays cached: a history whose
   * base entry was evicted would keep the base's turns in memory unweighed. So every entry knows
   * the entries built on it, and when an entry leaves the map for any reason (eviction, expiry,
   * delete, cleanup, replacement), the removal listener queues them, and the next call drops them
   * (the listener may run inside Caffeine's maintenance, where the map must not be changed).
   * Invariant: every cached entry's history is weighed by it or by the chain of cached entries it
   * was built on. Adopting (registering a built entry with its base) and releasing (the listener
   * taking the list) synchronize on the base, and an entry is put before it is adopted, so a base
   * that leaves concurrently either releases the new entry or refuses to adopt it.
   *
   * Cleanup. The delegate removes a conversation only when its last activity, the latest
   * recorded_at of any of its turns, is before the cutoff. A cached history whose turns include
   * one recorded at or after the cutoff therefore proves its conversation (named by its first
   * turn's response id) was kept, and so does any cached turn of that conversation. The sweep
   * keeps the entries of such conversations and drops every other history, plus every load in
   * flight (it may have read before the delegate removed). This is safe whatever other instances
   * recorded: their turns can only make a conversation more active, never less. It may drop
   * entries of a conversation kept alive by turns this instance never saw; they reload.
   *
   * Invalidations from other instances (InvalidationSource) arrive on the source's thread after
   * the change committed and take the same paths: a deleted id bumps its stripe and is dropped as
   * a local delete is, a cleanup runs the sweep above with its cutoff, and "everything" bumps every
   * stripe and empties the map.
   */

  /** The fixed part of every entry's weight, in bytes; also the weight of a remembered absence. */
  private static final int ENTRY_OVERHEAD = 64;
  private static final int STRIPES = 64;

  private final StateStore delegate;
  private final AsyncCache<String, Entry> cache;
  private final ConcurrentMap<String, CompletableFuture<Entry>> map;
  private final Ticker ticker;
  private final long negativeTtlNanos;
  /** Per stripe of ids, how many deletes have finished their delegate call; see the design notes. */
  private final AtomicLongArray deletes = new AtomicLongArray(STRIPES);
  /** Entries whose base entry left the map, to drop on the next call. */
  private final Queue<Built> orphans = new ConcurrentLinkedQueue<>();
  /** Caffeine's counter, also fed by the hit path, which reads the map without Caffeine's stats. */
  private final StatsCounter stats;
  /** The delegate's invalidations, when it offers them; else null. */
  private final InvalidationSource.Subscription invalidations;
  private volatile boolean closed;

  private CachedStateStore(Builder builder) {
    this.delegate = builder.delegate;
    this.ticker = builder.ticker;
    this.negativeTtlNanos = builder.negativeTtl == null ? 0 : builder.negativeTtl.toNanos();
    this.stats = builder.recordStats ? new ConcurrentStatsCounter() : StatsCounter.disabledStatsCounter();
    Caffeine<String, Entry> caffeine = Caffeine.newBuilder()
        .executor(Runnable::run)
        .ticker(builder.ticker)
        .maximumWeight(builder.maximumWeight)
        .weigher((String id, Entry entry) -> entry.weight)
        .removalListener((String id, Entry entry, RemovalCause cause) -> {
          if (entry != null) {
            orphans.addAll(entry.release());
          }
        });
    if (negativeTtlNanos > 0) {
      // Absences expire on their own clock: variable expiry, a little dearer on every read.
      caffeine.expireAfter(new EntryExpiry(builder.expireAfterWrite, builder.expireAfterAccess, negativeTtlNanos));
    } else {
      if (builder.expireAfterWrite != null) {
        caffeine.expireAfterWrite(builder.expireAfterWrite);
      }
      if (builder.expireAfterAccess != null) {
        caffeine.expireAfterAccess(builder.expireAfterAccess);
      }
    }
    if (builder.recordStats) {
      caffeine.recordStats(() -> stats);
    }
    this.cache = caffeine.buildAsync();
    this.map = cache.asMap();
    this.invalidations = delegate instanceof InvalidationSource
        ? ((InvalidationSource) delegate).subscribe(this::invalidate)
        : null;
  }

  /** A builder of a cache in front of {@code delegate}, with the defaults of the {@code cached} type. */
  public static Builder builder(StateStore delegate) {
    return new Builder(delegate);
  }

  /**
   * Records through the delegate, then caches the new response's history when its previous
   * response's history is cached (reading nothing), or when it starts a conversation.
   *
   * <p>The delegate's exception propagates; the new id is dropped from the cache first (the
   * outcome of a failed write may be unknown), and so is the previous id when the delegate says
   * it is not found (the cache held it stale).
   */
  @Override
  public Turn record(Turn turn) {
    checkOpen();
    Validation.requireRecordable(turn, Long.MAX_VALUE); // the delegate checks the size
    String responseId = turn.responseId();
    int stripe = stripe(responseId);
    long deletesBefore = deletes.get(stripe);
    Turn stored;
    try {
      stored = delegate.record(turn);
    } catch (RuntimeException | Error e) {
      map.remove(responseId);
      if (e instanceof StateNotFoundException && turn.previousResponseId().isPresent()
          && ((StateNotFoundException) e).responseId().equals(turn.previousResponseId().get())) {
        map.remove(turn.previousResponseId().get());
      }
      dropOrphans();
      throw e;
    }
    cacheRecorded(stored, stripe, deletesBefore);
    dropOrphans();
    return stored;
  }

  /** Asks the delegate, whose limits apply; reads and writes nothing. */
  @Override
  public void checkRecordable(Turn turn) {
    checkOpen();
    delegate.checkRecordable(turn);
  }

  @Override
  public Optional<History> history(String owner, String responseId) {
    checkOpen();
    // Hit path: a completed entry for this owner. Its id and owner passed the checks when it was
    // cached, and an owner equal to a checked one is valid.
    Entry entry = completed(map.get(Validation.requireNonNull("response_id", responseId)));
    if (entry != null && entry.answers(owner)) {
      stats.recordHits(1);
      return entry.answer;
    }
    Validation.requireOwner(owner);
    Validation.requireName("response_id", responseId);
    if (entry != null) {
      stats.recordMisses(1);
      return delegate.history(owner, responseId);
    }
    try {
      return load(owner, responseId);
    } finally {
      dropOrphans();
    }
  }

  /**
   * Deletes through the delegate, then drops the id (and the cached histories built on it, which
   * reload on their next read), also when the delegate fails.
   */
  @Override
  public boolean delete(String owner, String responseId) {
    checkOpen();
    Validation.requireOwner(owner);
    Validation.requireName("response_id", responseId);
    try {
      return delegate.delete(owner, responseId);
    } finally {
      deletes.incrementAndGet(stripe(responseId));
      map.remove(responseId);
      dropOrphans();
    }
  }

  /**
   * Cleans up the delegate, then drops the cached histories of every conversation this cache
   * cannot prove was active since the cutoff, and every load in flight; also when the delegate
   * fails, since a failed cleanup may have removed some conversations.
   */
  @Override
  public long deleteInactiveBefore(Instant cutoff) {
    return deleteInactiveBefore(cutoff, removed -> { });
  }

  /**
   * As {@link #deleteInactiveBefore(Instant)}, passing the delegate's progress on when it cleans up
   * in batches (else reporting the total once).
   */
  @Override
  public long deleteInactiveBefore(Instant cutoff, LongConsumer progress) {
    checkOpen();
    Validation.requireCutoff(cutoff);
    try {
      if (delegate instanceof BatchedCleanup) {
        return ((BatchedCleanup) delegate).deleteInactiveBefore(cutoff, progress);
      }
      long removed = delegate.deleteInactiveBefore(cutoff);
      progress.accept(removed);
      return removed;
    } finally {
      dropInactive(cutoff);
      dropOrphans();
    }
  }

  /** Asks the delegate: a cached history or absence says nothing about the storage now. */
  @Override
  public void ping() {
    checkOpen();
    delegate.ping();
  }

  /** Hits, misses, load time and evictions since the store opened (zeros unless stats are recorded). */
  public CacheStats stats() {
    return cache.synchronous().stats();
  }

  /** The bytes of turns held now (plus a small fixed overhead per entry); an estimate, as Caffeine's. */
  public long weightedSize() {
    return cache.synchronous().policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  /**
   * Runs pending maintenance now (evictions, expiry, dropping the histories built on an entry
   * that left), which otherwise happens as a side effect of later calls. For tests and monitoring.
   */
  public void cleanUp() {
    cache.synchronous().cleanUp();
    dropOrphans();
  }

  /**
   * The underlying Caffeine cache, for monitoring only (for example Micrometer's
   * {@code CaffeineCacheMetrics.monitor(registry, store.cache(), "convstate")}). Invalidating an
   * entry through it is safe; putting one breaks this store's guarantees.
   */
  public Cache<String, ?> cache() {
    return cache.synchronous();
  }

  /**
   * Drops what another instance made unreadable (called on the delegate's notification thread);
   * see the design notes.
   */
  private void invalidate(Invalidation invalidation) {
    if (closed) {
      return;
    }
    if (invalidation.isEverything()) {
      for (int stripe = 0; stripe < STRIPES; stripe++) {
        deletes.incrementAndGet(stripe);
      }
      cache.synchronous().invalidateAll();
    } else if (invalidation.inactiveBefore().isPresent()) {
      dropInactive(invalidation.inactiveBefore().get());
    } else {
      for (String responseId : invalidation.responseIds()) {
        deletes.incrementAndGet(stripe(responseId));
        map.remove(responseId);
      }
    }
    dropOrphans();
  }

  /** Closes the delegate and drops every entry. Calling it again does nothing. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      if (invalidations != null) {
        invalidations.close();
      }
      cache.synchronous().invalidateAll();
      orphans.clear();
      delegate.close();
    }
  }

  @Override
  public String toString() {
    return "CachedStateStore[" + cache.synchronous().estimatedSize() + " entries, " + weightedSize() + " bytes, over "
        + delegate + (closed ? ", closed" : "") + "]";
  }

  /** After the delegate stored {@code stored}: caches its history when it costs no read. */
  private void cacheRecorded(Turn stored, int stripe, long deletesBefore) {
    String responseId = stored.responseId();
    Entry base = null;
    Entry entry;
    if (stored.previousResponseId().isEmpty()) {
      entry = Entry.loaded(History.of(stored), ticker.read());
    } else {
      base = completed(map.get(stored.previousResponseId().get()));
      if (base == null || base.answer.isEmpty() || !base.answers(stored.owner().orElse(null))) {
        map.remove(responseId); // an absence or a load in flight may predate the record
        return;
      }
      entry = base.then(stored, ticker.read());
    }
    CompletableFuture<Entry> future = CompletableFuture.completedFuture(entry);
    map.put(responseId, future);
    if ((base != null && !base.adopt(responseId, future)) || deletes.get(stripe) != deletesBefore) {
      map.remove(responseId, future);
    }
  }

  /** Reads the id through the single-flight load; see the design notes. */
  private Optional<History> load(String owner, String responseId) {
    CompletableFuture<Entry> created = new CompletableFuture<>();
    CompletableFuture<Entry> future = cache.get(responseId, (id, executor) -> created);
    if (future == created) {
      Entry loaded;
      try {
        Optional<History> history = delegate.history(owner, responseId);
        loaded = history.isPresent() ? Entry.loaded(history.get(), ticker.read()) : Entry.absent(owner, ticker.read());
      } catch (RuntimeException | Error e) {
        created.completeExceptionally(new FailedLoad(e));
        throw e;
      }
      created.complete(loaded);
      if (loaded.answer.isEmpty() && negativeTtlNanos == 0) {
        map.remove(responseId, created);
      }
      return loaded.answer;
    }
    Entry entry = await(future, responseId);
    // Another owner's load: its history is not this owner's, nor its absence.
    return entry.answers(owner) ? entry.answer : delegate.history(owner, responseId);
  }

  private static Entry await(CompletableFuture<Entry> future, String responseId) {
    try {
      return future.get();
    } catch (FailedLoad e) {
      throw rethrow(e.getCause());
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("Interrupted while waiting for a read of '" + responseId + "' in progress", e);
    }
  }

  /** Drops the entries that a cleanup to {@code cutoff} may have made stale; see the design notes. */
  private void dropInactive(Instant cutoff) {
    Set<String> active = new HashSet<>();
    for (CompletableFuture<Entry> future : map.values()) {
      Entry entry = completed(future);
      if (entry != null && entry.activeSince(cutoff)) {
        active.add(entry.conversationId);
      }
    }
    map.forEach((id, future) -> {
      if (!future.isDone()) {
        map.remove(id, future);
        return;
      }
      Entry entry = completed(future);
      if (entry != null && entry.conversationId != null && !active.contains(entry.conversationId)) {
        map.remove(id, future);
      }
    });
  }

  /** Drops the entries queued by the removal listener, and those built on them in turn. */
  private void dropOrphans() {
    for (Built orphan = orphans.poll(); orphan != null; orphan = orphans.poll()) {
      map.remove(orphan.responseId, orphan.future);
    }
  }

  /** The entry of a future that completed normally; null for a missing, pending or failed one. */
  private static Entry completed(CompletableFuture<Entry> future) {
    return future != null && future.isDone() && !future.isCompletedExceptionally() ? future.join() : null;
  }

  private static RuntimeException rethrow(Throwable cause) {
    if (cause instanceof RuntimeException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return new StorageException("A read of the delegate failed", cause);
  }

  private static int stripe(String responseId) {
    return (responseId.hashCode() & 0x7fff_ffff) % STRIPES;
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException("cached state store");
    }
  }

  /**
   * A failed load, as Caffeine sees it: a cancellation, which it drops without logging a stack
   * trace. The waiters rethrow the cause, the delegate's exception itself.
   */
  private static final class FailedLoad extends CancellationException {
    private static final long serialVersionUID = 1L;

    FailedLoad(Throwable cause) {
      super("the delegate's read failed");
      initCause(cause);
    }
  }

  /** An entry built on another one, as that one knows it: its id and the future mapped to it. */
  private static final class Built {
    final String responseId;
    final CompletableFuture<Entry> future;

    Built(String responseId, CompletableFuture<Entry> future) {
      this.responseId = responseId;
      this.future = future;
    }
  }

  /**
   * A cached history, or a remembered absence ({@code answer} empty). Immutable but for the list
   * of entries built on it, guarded by its monitor.
   */
  private static final class Entry {
    /** What a read by {@link #owner} returns. */
    final Optional<History> answer;
    /** The owner this entry answers: the history's last turn's, or the one an absence was read for. */
    final String owner;
    /** The conversation's first response id; null for an absence. */
    final String conversationId;
    /** The latest recorded_at in the history; null for an absence or when a turn lacks one. */
    final Instant activity;
    final int weight;
    final long writtenNanos;
    private List<Built> built;
    private boolean released;

    private Entry(Optional<History> answer, String owner, String conversationId, Instant activity, long weight,
        long writtenNanos) {
      this.answer = answer;
      this.owner = owner;
      this.conversationId = conversationId;
      this.activity = activity;
      this.weight = (int) Math.min(Integer.MAX_VALUE, weight);
      this.writtenNanos = writtenNanos;
    }

    /** A history read whole (or a first turn): it weighs every turn. */
    static Entry loaded(History history, long now) {
      long weight = 0;
      Instant activity = Instant.MIN;
      History node = history;
      for (; ; node = node.previous()) {
        weight += weightOf(node.last());
        activity = latest(activity, node.last());
        if (node.previous() == null) {
          break;
        }
      }
      return new Entry(Optional.of(history), history.last().owner().orElse(null), node.responseId(),
          activity, weight, now);
    }

    static Entry absent(String owner, long now) {
      return new Entry(Optional.empty(), owner, null, null, ENTRY_OVERHEAD, now);
    }

    /** The entry of {@code next}, which continues this one's history: it weighs {@code next} only. */
    Entry then(Turn next, long now) {
      return new Entry(Optional.of(answer.orElseThrow().then(next)), next.owner().orElse(null), conversationId,
          latest(activity, next), weightOf(next), now);
    }

    boolean answers(String caller) {
      return Objects.equals(owner, caller);
    }

    boolean activeSince(Instant cutoff) {
      return activity != null && !activity.isBefore(cutoff);
    }

    /** Registers an entry built on this one; false when this one already left the map. */
    synchronized boolean adopt(String responseId, CompletableFuture<Entry> future) {
      if (released) {
        return false;
      }
      if (built == null) {
        built = new ArrayList<>(1);
      }
      built.add(new Built(responseId, future));
      return true;
    }

    /** This entry left the map: the entries built on it, which must leave too. */
    synchronized List<Built> release() {
      released = true;
      List<Built> orphans = built == null ? List.of() : built;
      built = null;
      return orphans;
    }

    private static Instant latest(Instant activity, Turn turn) {
      if (activity == null || turn.recordedAt().isEmpty()) {
        return null;
      }
      Instant recordedAt = turn.recordedAt().get();
      return recordedAt.isAfter(activity) ? recordedAt : activity;
    }

    private static long weightOf(Turn turn) {
      return ENTRY_OVERHEAD + turn.jsonBytes() + 2L * turn.responseId().length();
    }
  }

  /** Write and access expiry for histories, the negative TTL for absences. */
  private static final class EntryExpiry implements Expiry<String, Entry> {
    private final long afterWrite;
    private final long afterAccess;
    private final long negative;

    EntryExpiry(Duration afterWrite, Duration afterAccess, long negativeNanos) {
      this.afterWrite = afterWrite == null ? Long.MAX_VALUE : afterWrite.toNanos();
      this.afterAccess = afterAccess == null ? Long.MAX_VALUE : afterAccess.toNanos();
      this.negative = negativeNanos;
    }

    @Override
    public long expireAfterCreate(String id, Entry entry, long currentTime) {
      return entry.answer.isEmpty() ? negative : Math.min(afterWrite, afterAccess);
    }

    @Override
    public long expireAfterUpdate(String id, Entry entry, long currentTime, long currentDuration) {
      return expireAfterCreate(id, entry, currentTime);
    }

    @Override
    public long expireAfterRead(String id, Entry entry, long currentTime, long currentDuration) {
      if (entry.answer.isEmpty() || afterAccess == Long.MAX_VALUE) {
        return currentDuration;
      }
      long untilWriteExpiry = afterWrite == Long.MAX_VALUE ? Long.MAX_VALUE : afterWrite - (currentTime - entry.writtenNanos);
      return Math.max(0, Math.min(afterAccess, untilWriteExpiry));
    }
  }

  /** Settings of a {@link CachedStateStore}; the defaults are those of the {@code cached} type. */
  public static final class Builder {
    private final StateStore delegate;
    private long maximumWeight = 256L << 20;
    private Duration expireAfterWrite = Duration.ofMinutes(10);
    private Duration expireAfterAccess;
    private Duration negativeTtl;
    private boolean recordStats = true;
    private Ticker ticker = Ticker.systemTicker();

    private Builder(StateStore delegate) {
      this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * The most bytes of turns held (default 256 MiB): each cached turn's items and metadata JSON
     * plus a small fixed overhead, a turn shared by several cached histories counted once.
     */
    public Builder maximumWeight(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maximumWeight must not be negative: " + bytes);
      }
      this.maximumWeight = bytes;
      return this;
    }

    /**
     * How long a history stays after it was loaded or recorded (default 10 minutes): the longest
     * another instance's delete or cleanup may go unseen when the delegate's invalidations do not
     * arrive (or it offers none). Null for no limit.
     */
    public Builder expireAfterWrite(Duration duration) {
      this.expireAfterWrite = positiveOrNull(duration, "expireAfterWrite");
      return this;
    }

    /** How long a history stays after its last read (default: no limit). Null for no limit. */
    public Builder expireAfterAccess(Duration duration) {
      this.expireAfterAccess = positiveOrNull(duration, "expireAfterAccess");
      return this;
    }

    /**
     * How long an absence is remembered (default: not at all, so a turn another instance
     * records is visible at once). Null to turn it off.
     */
    public Builder negativeTtl(Duration duration) {
      this.negativeTtl = positiveOrNull(duration, "negativeTtl");
      return this;
    }

    /** Whether to record statistics (default true). */
    public Builder recordStats(boolean record) {
      this.recordStats = record;
      return this;
    }

    /** The time source of expiry (default: the system ticker); for tests. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    public CachedStateStore build() {
      return new CachedStateStore(this);
    }

    private static Duration positiveOrNull(Duration duration, String name) {
      if (duration != null && (duration.isNegative() || duration.isZero())) {
        throw new IllegalArgumentException(name + " must be positive: " + duration);
      }
      return duration;
    }
  }
}
