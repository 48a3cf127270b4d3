package io.convstate.benchmarks;

import io.convstate.History;
import io.convstate.Turn;
import io.convstate.memory.MemoryStateStore;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The memory store against its anchor: a bare ConcurrentHashMap from response id to the same
 * immutable {@link History}. Reads: 4,096 conversations of 12 turns (24 items, 7 KiB). Records: a
 * short turn continuing one of 4,096 first turns, under a new id each call, into a store and a map
 * made afresh for each iteration.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MemoryBenchmark {

  static final int KEYS = 1 << 12;

  MemoryStateStore store;
  ConcurrentHashMap<String, History> map;
  /** The last turn of each conversation. */
  String[] ids;

  @Setup
  public void fill() {
    store = new MemoryStateStore();
    map = new ConcurrentHashMap<>();
    ids = new String[KEYS];
    String[] prefixes = Payloads.responseIds(KEYS);
    for (int i = 0; i < KEYS; i++) {
      History history = null;
      for (Turn turn : Payloads.turns(prefixes[i], null)) {
        Turn stored = store.record(turn);
        history = history == null ? History.of(stored) : history.then(stored);
        map.put(stored.responseId(), history);
      }
      ids[i] = history.responseId();
    }
  }

  @Benchmark
  public History storeHistory(Cursor cursor) {
    return store.history(null, ids[cursor.next()]).orElseThrow();
  }

  @Benchmark
  public History mapGet(Cursor cursor) {
    return map.get(ids[cursor.next()]);
  }

  @Benchmark
  public Turn storeRecord(Records records, Cursor cursor) {
    return records.store.record(Payloads.nextTurn(cursor.newId(), records.parents[cursor.next()], null));
  }

  /** The map doing the least a record needs: find the previous history, extend it, insert if absent. */
  @Benchmark
  public History mapRecord(Records records, Cursor cursor) {
    Turn turn = Payloads.nextTurn(cursor.newId(), records.parents[cursor.next()], null);
    History previous = records.map.get(turn.previousResponseId().get());
    return records.map.putIfAbsent(turn.responseId(), previous.then(turn));
  }

  /** The map plus the work any store's record must do: read the clock and stamp the turn it stores. */
  @Benchmark
  public History mapRecordStamped(Records records, Cursor cursor) {
    Turn turn = Payloads.nextTurn(cursor.newId(), records.parents[cursor.next()], null);
    History previous = records.map.get(turn.previousResponseId().get());
    Turn stamped = turn.toBuilder().conversationCreatedAt(previous.conversationCreatedAt())
        .recordedAt(records.clock.instant()).build();
    return records.map.putIfAbsent(turn.responseId(), previous.then(stamped));
  }

  /** A store and a map holding 4,096 first turns, made afresh for each iteration (records only add). */
  @State(Scope.Benchmark)
  public static class Records {
    final Clock clock = Clock.systemUTC();
    List<Turn> firsts;
    String[] parents;
    MemoryStateStore store;
    ConcurrentHashMap<String, History> map;

    @Setup
    public void turns() {
      String[] prefixes = Payloads.responseIds(KEYS);
      parents = new String[KEYS];
      firsts = new java.util.ArrayList<>(KEYS);
      for (int i = 0; i < KEYS; i++) {
        Turn first = Payloads.turns(prefixes[i], null).get(0);
        firsts.add(first);
        parents[i] = first.responseId();
      }
    }

    @Setup(Level.Iteration)
    public void fresh() {
      store = new MemoryStateStore();
      map = new ConcurrentHashMap<>();
      for (Turn first : firsts) {
        map.put(first.responseId(), History.of(store.record(first)));
      }
    }
  }

  /** Each thread walks the keys in its own order and makes its own new ids. */
  @State(Scope.Thread)
  public static class Cursor {
    private static final java.util.concurrent.atomic.AtomicInteger CURSORS = new java.util.concurrent.atomic.AtomicInteger();
    private final String prefix = "resp_new_" + CURSORS.incrementAndGet() + "_";
    private int position = (int) (Thread.currentThread().getId() * 101);
    private long made;

    int next() {
      position = (position + 1) & (KEYS - 1);
      return position;
    }

    String newId() {
      return prefix + made++;
    }
  }
}
