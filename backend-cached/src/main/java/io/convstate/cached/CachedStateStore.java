package io.convstate.cached;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.github.benmanes.caffeine.cache.stats.ConcurrentStatsCounter;
import com.github.benmanes.caffeine.cache.stats.StatsCounter;
import io.convstate.ConversationState;
import io.convstate.InputItems;
import io.convstate.StateStore;
import io.convstate.StoreClosedException;
import io.convstate.Validation;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Caffeine near cache in front of another {@link StateStore} (type {@code cached}).
 *
 * <p><b>Reads</b> go through: a miss loads from the delegate once, however many threads miss the
 * same id at once; they all get that load's result or its exception. Absence is not cached unless
 * a {@linkplain Builder#negativeTtl negative TTL} is set.
 *
 * <p><b>Writes</b> reach the delegate first; the cache takes the stored state only after the
 * delegate acknowledged it, so a failed write leaves the cache as it was (the delegate's
 * exception propagates). Writes and deletes of one id are ordered by a lock striped over ids,
 * and a write or delete replaces or drops any load of that id still in flight: a read that races
 * a write or delete never puts an older state back afterwards. {@code append} and cleanup reach
 * the delegate and drop the entries they affect.
 *
 * <p><b>Several instances</b> sharing one delegate: an instance may serve a state another
 * instance has since overwritten or deleted for at most {@code expire_after_write} (and a
 * negative entry for at most the negative TTL). States are written once per response id in
 * normal Responses traffic, so this matters for deletes and cleanup.
 *
 * <p>The bound is in bytes of items JSON ({@code maximum_weight}), since states range from a few
 * hundred bytes to many megabytes. Values are immutable, so nothing is copied on a hit.
 *
 * <p>Thread-safe. {@link #close()} closes the delegate.
 */
public final class CachedStateStore implements StateStore {

  /** Weight of a cached absence and the fixed part of every entry, in bytes. */
  private static final int ENTRY_OVERHEAD = 64;
  private static final int STRIPES = 64;

  private final StateStore delegate;
  private final AsyncCache<String, Entry> cache;
  private final Ticker ticker;
  private final long negativeTtlNanos;
  private final ReentrantLock[] writeLocks = new ReentrantLock[STRIPES];
  /** Caffeine's counter, also fed by the hit path, which reads the map without Caffeine's stats. */
  private final StatsCounter stats;
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
        .weigher((String id, Entry entry) -> entry.weight());
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
    for (int i = 0; i < STRIPES; i++) {
      writeLocks[i] = new ReentrantLock();
    }
  }

  /** A builder of a cache in front of {@code delegate}, with the defaults of the {@code cached} type. */
  public static Builder builder(StateStore delegate) {
    return new Builder(delegate);
  }

  @Override
  public ConversationState put(ConversationState state) {
    checkOpen();
    Validation.requireStorable(state, Long.MAX_VALUE);
    ReentrantLock lock = lockFor(state.responseId());
    lock.lock();
    try {
      ConversationState stored = delegate.put(state);
      cache.put(state.responseId(), CompletableFuture.completedFuture(new Entry(stored, ticker.read())));
      return stored;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Optional<ConversationState> get(String responseId) {
    checkOpen();
    // Hit path: a completed entry, whose id passed the checks when it was stored.
    CompletableFuture<Entry> cached = cache.asMap().get(Validation.requireNonNull("response_id", responseId));
    if (cached != null && cached.isDone() && !cached.isCompletedExceptionally()) {
      Entry entry = cached.join();
      if (entry != null) {
        stats.recordHits(1);
        return Optional.ofNullable(entry.state);
      }
    }
    Validation.requireName("response_id", responseId);
    Entry entry = lookUp(responseId);
    return entry == null ? Optional.empty() : Optional.ofNullable(entry.state);
  }

  @Override
  public boolean exists(String responseId) {
    checkOpen();
    Validation.requireName("response_id", responseId);
    CompletableFuture<Entry> cached = cache.getIfPresent(responseId);
    if (cached != null && cached.isDone() && !cached.isCompletedExceptionally()) {
      Entry entry = cached.join();
      if (entry != null) {
        return entry.state != null;
      }
    }
    return delegate.exists(responseId);
  }

  @Override
  public boolean delete(String responseId) {
    checkOpen();
    Validation.requireName("response_id", responseId);
    ReentrantLock lock = lockFor(responseId);
    lock.lock();
    try {
      boolean deleted = delegate.delete(responseId);
      cache.synchronous().invalidate(responseId);
      return deleted;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Cleans up the delegate, then drops the cached states updated before the cutoff, and every load
   * in flight (it may have read a state the cleanup deleted).
   */
  @Override
  public long deleteUpdatedBefore(Instant cutoff) {
    checkOpen();
    Validation.requireCutoff(cutoff);
    long deleted = delegate.deleteUpdatedBefore(cutoff);
    cache.asMap().forEach((id, future) -> {
      Entry entry = future.isDone() && !future.isCompletedExceptionally() ? future.join() : null;
      if (entry == null || (entry.state != null && entry.state.updatedAt().map(at -> at.isBefore(cutoff)).orElse(true))) {
        cache.asMap().remove(id, future);
      }
    });
    return deleted;
  }

  /** Appends in the delegate (however it does it cheaply), then drops the id's entry. */
  @Override
  public void append(
      String previousResponseId, String responseId, InputItems newItems, String model, String provider) {
    checkOpen();
    Validation.requireName("response_id", responseId);
    ReentrantLock lock = lockFor(responseId);
    lock.lock();
    try {
      delegate.append(previousResponseId, responseId, newItems, model, provider);
      cache.synchronous().invalidate(responseId);
    } finally {
      lock.unlock();
    }
  }

  /** Hits, misses, load time and evictions since the store opened (zeros unless stats are recorded). */
  public CacheStats stats() {
    return cache.synchronous().stats();
  }

  /** The bytes of items JSON held now (plus a small fixed overhead per entry). */
  public long weightedSize() {
    return cache.synchronous().policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  /**
   * The underlying Caffeine cache, for monitoring only (for example Micrometer's
   * {@code CaffeineCacheMetrics.monitor(registry, store.cache(), "convstate")}). Changing it
   * breaks this store's guarantees.
   */
  public Cache<String, ?> cache() {
    return cache.synchronous();
  }

  /** Closes the delegate and drops every entry. Calling it again does nothing. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      cache.synchronous().invalidateAll();
      delegate.close();
    }
  }

  @Override
  public String toString() {
    return "CachedStateStore[" + cache.synchronous().estimatedSize() + " entries, " + weightedSize() + " bytes, over "
        + delegate + (closed ? ", closed" : "") + "]";
  }

  /** The entry for id, loading it on this thread if no other thread is already loading it. */
  private Entry lookUp(String responseId) {
    CompletableFuture<Entry> created = new CompletableFuture<>();
    CompletableFuture<Entry> future = cache.get(responseId, (id, executor) -> created);
    if (future == created) {
      try {
        Optional<ConversationState> loaded = delegate.get(responseId);
        // Without a negative TTL an absence completes as null, which Caffeine does not keep.
        created.complete(loaded.isPresent() || negativeTtlNanos > 0 ? new Entry(loaded.orElse(null), ticker.read()) : null);
      } catch (RuntimeException | Error e) {
        created.completeExceptionally(e);
        throw e;
      }
    }
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw rethrow(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompletionException(e);
    }
  }

  private static RuntimeException rethrow(Throwable cause) {
    if (cause instanceof RuntimeException) {
      return (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return new CompletionException(cause);
  }

  private ReentrantLock lockFor(String responseId) {
    return writeLocks[(responseId.hashCode() & 0x7fff_ffff) % STRIPES];
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException("cached state store");
    }
  }

  /** A cached state, or a cached absence ({@code state == null}); immutable. */
  private static final class Entry {
    final ConversationState state;
    final long writtenNanos;

    Entry(ConversationState state, long writtenNanos) {
      this.state = state;
      this.writtenNanos = writtenNanos;
    }

    int weight() {
      if (state == null) {
        return ENTRY_OVERHEAD;
      }
      long bytes = ENTRY_OVERHEAD + state.items().jsonBytes() + 2L * state.responseId().length();
      return (int) Math.min(Integer.MAX_VALUE, bytes);
    }
  }

  /** Write and access expiry for states, the negative TTL for absences. */
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
      return entry.state == null ? negative : Math.min(afterWrite, afterAccess);
    }

    @Override
    public long expireAfterUpdate(String id, Entry entry, long currentTime, long currentDuration) {
      return expireAfterCreate(id, entry, currentTime);
    }

    @Override
    public long expireAfterRead(String id, Entry entry, long currentTime, long currentDuration) {
      if (entry.state == null || afterAccess == Long.MAX_VALUE) {
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

    /** The most bytes of items JSON held (default 256 MiB). */
    public Builder maximumWeight(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("maximumWeight must not be negative: " + bytes);
      }
      this.maximumWeight = bytes;
      return this;
    }

    /**
     * How long a state stays after it was loaded or written (default 10 minutes): the longest
     * another instance's overwrite or delete may go unseen. Null for no limit.
     */
    public Builder expireAfterWrite(Duration duration) {
      this.expireAfterWrite = positiveOrNull(duration, "expireAfterWrite");
      return this;
    }

    /** How long a state stays after its last read (default: no limit). Null for no limit. */
    public Builder expireAfterAccess(Duration duration) {
      this.expireAfterAccess = positiveOrNull(duration, "expireAfterAccess");
      return this;
    }

    /**
     * How long an absence is remembered (default: not at all, so a state another instance
     * writes is visible at once). Null to turn it off.
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
