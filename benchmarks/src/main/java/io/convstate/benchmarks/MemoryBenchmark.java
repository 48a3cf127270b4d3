package io.convstate.benchmarks;

import io.convstate.ConversationState;
import io.convstate.InputItems;
import io.convstate.memory.MemoryStateStore;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
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

/** The memory store against its anchor: a bare ConcurrentHashMap holding the same immutable states. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MemoryBenchmark {

  static final int KEYS = 1 << 12;

  final Clock clock = Clock.systemUTC();
  MemoryStateStore store;
  ConcurrentHashMap<String, ConversationState> map;
  String[] ids;
  ConversationState[] states;

  @Setup
  public void fill() {
    store = new MemoryStateStore();
    map = new ConcurrentHashMap<>();
    ids = Payloads.responseIds(KEYS);
    states = new ConversationState[KEYS];
    InputItems history = Payloads.history();
    for (int i = 0; i < KEYS; i++) {
      states[i] = ConversationState.of(ids[i], history, 1_700_000_000L, "gpt-4o", "openai");
      store.put(states[i]);
      map.put(ids[i], states[i]);
    }
  }

  @Benchmark
  public ConversationState storeGet(Cursor cursor) {
    return store.get(ids[cursor.next()]).orElseThrow();
  }

  @Benchmark
  public ConversationState mapGet(Cursor cursor) {
    return map.get(ids[cursor.next()]);
  }

  @Benchmark
  public ConversationState storePut(Cursor cursor) {
    return store.put(states[cursor.next()]);
  }

  @Benchmark
  public ConversationState mapPut(Cursor cursor) {
    int i = cursor.next();
    return map.put(ids[i], states[i]);
  }

  /** The map plus the work any store's put must do: read the clock and stamp a new immutable state. */
  @Benchmark
  public ConversationState mapPutStamped(Cursor cursor) {
    int i = cursor.next();
    return map.put(ids[i], states[i].withUpdatedAt(clock.instant()));
  }

  /** Each thread walks the keys in its own order. */
  @State(Scope.Thread)
  public static class Cursor {
    private int position = (int) (Thread.currentThread().getId() * 101);

    int next() {
      position = (position + 1) & (KEYS - 1);
      return position;
    }
  }
}
