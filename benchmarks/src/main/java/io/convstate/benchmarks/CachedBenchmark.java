package io.convstate.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.convstate.ConversationState;
import io.convstate.InputItems;
import io.convstate.cached.CachedStateStore;
import io.convstate.memory.MemoryStateStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cached store's hit path against a bare Caffeine lookup of the same values, and its miss
 * path against the delegate alone (here the memory store, the cheapest delegate there is, so the
 * overhead shows at its largest; PostgresBenchmark measures it over PostgreSQL).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CachedBenchmark {

  static final int KEYS = MemoryBenchmark.KEYS;

  MemoryStateStore delegate;
  CachedStateStore cached;
  Cache<String, ConversationState> caffeine;
  String[] ids;

  @Setup
  public void fill() {
    delegate = new MemoryStateStore();
    cached = CachedStateStore.builder(delegate).maximumWeight(1L << 30).build();
    // The same bound, expiry and statistics as the cached store's defaults.
    caffeine = Caffeine.newBuilder().maximumWeight(1L << 30)
        .weigher((String id, ConversationState state) -> (int) state.items().jsonBytes())
        .expireAfterWrite(Duration.ofMinutes(10)).recordStats().build();
    ids = Payloads.responseIds(KEYS);
    InputItems history = Payloads.history();
    for (int i = 0; i < KEYS; i++) {
      ConversationState stored = cached.put(ConversationState.of(ids[i], history, 1_700_000_000L, "gpt-4o", "openai"));
      caffeine.put(ids[i], stored);
    }
  }

  @Benchmark
  public ConversationState cachedHit(MemoryBenchmark.Cursor cursor) {
    return cached.get(ids[cursor.next()]).orElseThrow();
  }

  @Benchmark
  public ConversationState caffeineHit(MemoryBenchmark.Cursor cursor) {
    return caffeine.getIfPresent(ids[cursor.next()]);
  }

  /** A miss: the entry is dropped first, so the get loads from the delegate and caches the result. */
  @Benchmark
  public ConversationState cachedMiss(MemoryBenchmark.Cursor cursor) {
    String id = ids[cursor.next()];
    cached.cache().invalidate(id);
    return cached.get(id).orElseThrow();
  }

  @Benchmark
  public ConversationState delegateGet(MemoryBenchmark.Cursor cursor) {
    return delegate.get(ids[cursor.next()]).orElseThrow();
  }
}
