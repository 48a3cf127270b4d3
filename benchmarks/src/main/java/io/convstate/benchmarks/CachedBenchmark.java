package io.convstate.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.convstate.History;
import io.convstate.Turn;
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
 * The cached store's hit path against a bare Caffeine lookup of the same histories, and its miss
 * path against the delegate alone (here the memory store, the cheapest delegate there is, so the
 * overhead shows at its largest; PostgresBenchmark measures it over PostgreSQL). 4,096
 * conversations of 12 turns (24 items, 7 KiB), read at their last turn.
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
  Cache<String, History> caffeine;
  String[] ids;

  @Setup
  public void fill() {
    delegate = new MemoryStateStore();
    cached = CachedStateStore.builder(delegate).maximumWeight(1L << 30).build();
    // The same bound, expiry and statistics as the cached store's defaults; a history weighs its last turn.
    caffeine = Caffeine.newBuilder().maximumWeight(1L << 30)
        .weigher((String id, History history) -> (int) history.last().jsonBytes())
        .expireAfterWrite(Duration.ofMinutes(10)).recordStats().build();
    ids = new String[KEYS];
    String[] prefixes = Payloads.responseIds(KEYS);
    for (int i = 0; i < KEYS; i++) {
      History history = null;
      for (Turn turn : Payloads.turns(prefixes[i], null)) {
        Turn stored = cached.record(turn);
        history = history == null ? History.of(stored) : history.then(stored);
      }
      ids[i] = history.responseId();
      caffeine.put(ids[i], history);
      cached.history(null, ids[i]).orElseThrow();
    }
  }

  @Benchmark
  public History cachedHit(MemoryBenchmark.Cursor cursor) {
    return cached.history(null, ids[cursor.next()]).orElseThrow();
  }

  @Benchmark
  public History caffeineHit(MemoryBenchmark.Cursor cursor) {
    return caffeine.getIfPresent(ids[cursor.next()]);
  }

  /** A miss: the entry is dropped first, so the read loads from the delegate and caches the result. */
  @Benchmark
  public History cachedMiss(MemoryBenchmark.Cursor cursor) {
    String id = ids[cursor.next()];
    cached.cache().invalidate(id);
    return cached.history(null, id).orElseThrow();
  }

  @Benchmark
  public History delegateHistory(MemoryBenchmark.Cursor cursor) {
    return delegate.history(null, ids[cursor.next()]).orElseThrow();
  }
}
