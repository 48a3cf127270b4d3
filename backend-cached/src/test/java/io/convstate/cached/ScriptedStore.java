package io.convstate.cached;

import io.convstate.ConversationState;
import io.convstate.StateStore;
import io.convstate.StorageUnavailableException;
import io.convstate.memory.MemoryStateStore;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A delegate for the cache's tests: a memory store that counts calls, can fail on demand, and can
 * hold a read between reading the state and returning it.
 */
final class ScriptedStore implements StateStore {

  final MemoryStateStore states = new MemoryStateStore();
  final AtomicInteger gets = new AtomicInteger();
  final AtomicInteger puts = new AtomicInteger();
  final AtomicInteger exists = new AtomicInteger();
  volatile boolean failGets;
  volatile boolean failPuts;
  /**
   * When set, a get reads the state, counts down {@code readDone}, then waits for {@code release}
   * (and then fails if {@code failGets} is set).
   */
  volatile CountDownLatch readDone;
  volatile CountDownLatch release;

  @Override
  public ConversationState put(ConversationState state) {
    puts.incrementAndGet();
    if (failPuts) {
      throw new StorageUnavailableException("scripted put failure", null);
    }
    return states.put(state);
  }

  @Override
  public Optional<ConversationState> get(String responseId) {
    gets.incrementAndGet();
    Optional<ConversationState> read = states.get(responseId);
    CountDownLatch done = readDone;
    CountDownLatch wait = release;
    if (done != null) {
      done.countDown();
      try {
        if (!wait.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    if (failGets) {
      throw new StorageUnavailableException("scripted get failure", null);
    }
    return read;
  }

  @Override
  public boolean exists(String responseId) {
    exists.incrementAndGet();
    return states.exists(responseId);
  }

  @Override
  public boolean delete(String responseId) {
    return states.delete(responseId);
  }

  @Override
  public long deleteUpdatedBefore(Instant cutoff) {
    return states.deleteUpdatedBefore(cutoff);
  }

  @Override
  public void close() {
    states.close();
  }
}
