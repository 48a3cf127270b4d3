package io.convstate.cached;

import io.convstate.History;
import io.convstate.StateStore;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.memory.MemoryStateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A delegate for the cache's tests: a memory store that counts calls, fails on demand (before
 * or after doing the work, for an outcome the caller cannot know), and can hold a read between
 * reading and returning, or a record between writing and returning.
 */
final class ScriptedStore implements StateStore {

  /** The store behind the script; tests write to it directly as "another instance" would. */
  final MemoryStateStore turns;
  final AtomicInteger records = new AtomicInteger();
  final AtomicInteger histories = new AtomicInteger();
  final AtomicInteger deletes = new AtomicInteger();
  final AtomicInteger cleanups = new AtomicInteger();
  volatile boolean failHistories;
  volatile boolean failRecords;
  /** Records, deletes and cleanups do their work, then fail. */
  volatile boolean failAfterWriting;
  /**
   * When set, a history read reads, counts down {@code readDone}, then waits for {@code release}
   * (and then fails if {@code failHistories} is set).
   */
  volatile CountDownLatch readDone;
  volatile CountDownLatch release;
  /** When set, a record writes, counts down {@code recordDone}, then waits for {@code recordRelease}. */
  volatile CountDownLatch recordDone;
  volatile CountDownLatch recordRelease;

  ScriptedStore(Clock clock) {
    this.turns = new MemoryStateStore(clock, StoreConfig.DEFAULT_MAX_ITEMS_BYTES);
  }

  @Override
  public Turn record(Turn turn) {
    records.incrementAndGet();
    if (failRecords) {
      throw new StorageUnavailableException("scripted record failure", null);
    }
    Turn stored = turns.record(turn);
    CountDownLatch done = recordDone;
    if (done != null) {
      done.countDown();
      await(recordRelease);
    }
    if (failAfterWriting) {
      throw new StorageUnavailableException("scripted failure after recording", null);
    }
    return stored;
  }

  @Override
  public void checkRecordable(Turn turn) {
    turns.checkRecordable(turn);
  }

  @Override
  public Optional<History> history(String owner, String responseId) {
    histories.incrementAndGet();
    Optional<History> read = turns.history(owner, responseId);
    CountDownLatch done = readDone;
    if (done != null) {
      done.countDown();
      await(release);
    }
    if (failHistories) {
      throw new StorageUnavailableException("scripted read failure", null);
    }
    return read;
  }

  @Override
  public boolean delete(String owner, String responseId) {
    deletes.incrementAndGet();
    boolean deleted = turns.delete(owner, responseId);
    if (failAfterWriting) {
      throw new StorageUnavailableException("scripted failure after deleting", null);
    }
    return deleted;
  }

  @Override
  public long deleteInactiveBefore(Instant cutoff) {
    cleanups.incrementAndGet();
    long removed = turns.deleteInactiveBefore(cutoff);
    if (failAfterWriting) {
      throw new StorageUnavailableException("scripted failure after cleaning up", null);
    }
    return removed;
  }

  @Override
  public void close() {
    turns.close();
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("never released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
