package io.convstate.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.History;
import io.convstate.StateStore;
import io.convstate.StorageUnavailableException;
import io.convstate.Turn;
import io.convstate.memory.MemoryStateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("StoreHealth")
class StoreHealthTest {

  /** A store whose ping runs the given action; nothing else is called. */
  private static StateStore pinging(Runnable ping) {
    return new StateStore() {
      @Override
      public Turn record(Turn turn) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void checkRecordable(Turn turn) {
        throw new UnsupportedOperationException();
      }

      @Override
      public Optional<History> history(String owner, String responseId) {
        throw new UnsupportedOperationException();
      }

      @Override
      public boolean delete(String owner, String responseId) {
        throw new UnsupportedOperationException();
      }

      @Override
      public long deleteInactiveBefore(Instant cutoff) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void ping() {
        ping.run();
      }

      @Override
      public void close() {}
    };
  }

  @Nested
  @DisplayName("reports")
  class Reports {

    @Test
    @DisplayName("UP for an open memory store")
    void up() {
      MemoryStateStore store = new MemoryStateStore();

      StoreHealth.Result result = StoreHealth.of(store, Duration.ofSeconds(5)).check();

      assertThat(result.status()).isEqualTo(StoreHealth.Status.UP);
      assertThat(result.isUp()).isTrue();
      assertThat(result.error()).isEmpty();
      assertThat(result).hasToString("UP");
      store.close();
    }

    @Test
    @DisplayName("DOWN with StoreClosedException for a closed store")
    void closed() {
      MemoryStateStore store = new MemoryStateStore();
      store.close();

      StoreHealth.Result result = StoreHealth.of(store, Duration.ofSeconds(5)).check();

      assertThat(result.status()).isEqualTo(StoreHealth.Status.DOWN);
      assertThat(result.error()).contains("StoreClosedException");
    }

    @Test
    @DisplayName("DOWN with the exception's type only, never its message (which may name a host)")
    void typeNotMessage() {
      StateStore store = pinging(() -> {
        throw new StorageUnavailableException("cannot reach db.internal.example:5432", null);
      });

      StoreHealth.Result result = StoreHealth.of(store, Duration.ofSeconds(5)).check();

      assertThat(result.error()).contains("StorageUnavailableException");
      assertThat(result.toString()).isEqualTo("DOWN (StorageUnavailableException)").doesNotContain("db.internal");
    }

    @Test
    @DisplayName("DOWN with TimeoutException when the ping hangs, and a later check waits for that ping instead of starting another")
    void timeout() throws InterruptedException {
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger pings = new AtomicInteger();
      StateStore store = pinging(() -> {
        pings.incrementAndGet();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      StoreHealth health = StoreHealth.of(store, Duration.ofMillis(100));

      assertThat(health.check().error()).contains("TimeoutException");
      assertThat(health.check().error()).contains("TimeoutException");
      assertThat(pings).hasValue(1);

      release.countDown();
      assertThat(health.check().isUp()).isTrue();
    }
  }

  @Test
  @DisplayName("refuses a missing store and a timeout that is not positive")
  void badArguments() {
    MemoryStateStore store = new MemoryStateStore();
    assertThatThrownBy(() -> StoreHealth.of(null, Duration.ofSeconds(1))).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> StoreHealth.of(store, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    store.close();
  }
}
