package io.convstate.cached;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.InputItems;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.postgres.Layout;
import io.convstate.postgres.PostgresStateStore;
import io.convstate.postgres.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Cross-instance invalidation of the near cache over postgres")
class CrossInstanceInvalidationTest {

  private static final int ROUNDS = 30;
  private static String table;

  private CachedStateStore a;
  private CachedStateStore b;

  private static synchronized String table() {
    if (table == null) {
      table = TestDatabase.get().freshTable("cached_invalidation", Layout.TURNS);
    }
    return table;
  }

  @BeforeEach
  void open() {
    TestDatabase.get().truncate(table(), Layout.TURNS);
    a = CachedStateStore.builder(new PostgresStateStore(StoreConfig.of(options()), Clock.systemUTC())).build();
    b = CachedStateStore.builder(new PostgresStateStore(StoreConfig.of(options()), Clock.systemUTC())).build();
  }

  @AfterEach
  void close() {
    a.close();
    b.close();
  }

  @Nested
  @DisplayName("with the default ten-minute expiry")
  class DefaultExpiry {

    @Test
    @DisplayName("a delete on one instance stops the other serving it well within a second, and the time is printed")
    void deleteLatencyIsMeasured() {
      awaitListening();
      List<Long> micros = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        String id = "resp_latency_" + round;
        a.record(turn(id));
        assertThat(b.history(null, id)).isPresent(); // now cached on b
        long start = System.nanoTime();
        assertThat(a.delete(null, id)).isTrue();
        while (b.history(null, id).isPresent()) {
          assertThat(System.nanoTime() - start).as("b still serves %s", id).isLessThan(Duration.ofSeconds(1).toNanos());
          Thread.onSpinWait();
        }
        micros.add((System.nanoTime() - start) / 1_000);
      }
      Collections.sort(micros);
      System.out.printf("Cross-instance invalidation latency (delete on A returns -> B stops serving), %d rounds:"
          + " min %.2f ms, median %.2f ms, p90 %.2f ms, max %.2f ms%n", ROUNDS, micros.get(0) / 1000.0,
          micros.get(ROUNDS / 2) / 1000.0, micros.get(ROUNDS * 9 / 10) / 1000.0, micros.get(ROUNDS - 1) / 1000.0);
      assertThat(micros.get(ROUNDS - 1)).isLessThan(1_000_000L);
    }

    @Test
    @DisplayName("a delete made before the other instance's listener connected is not served either")
    void deleteBeforeListeningIsNotServed() {
      a.record(turn("resp_early"));
      assertThat(b.history(null, "resp_early")).isPresent();
      assertThat(a.delete(null, "resp_early")).isTrue();
      long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      while (b.history(null, "resp_early").isPresent()) {
        assertThat(System.nanoTime()).as("b still serves resp_early").isLessThan(deadline);
        sleep(10);
      }
    }
  }

  /** Waits until b's listener is connected: a probe deleted on a is no longer served by b. */
  private void awaitListening() {
    a.record(turn("resp_probe"));
    assertThat(b.history(null, "resp_probe")).isPresent();
    a.delete(null, "resp_probe");
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (b.history(null, "resp_probe").isPresent()) {
      assertThat(System.nanoTime()).as("b never started listening").isLessThan(deadline);
      sleep(10);
    }
  }

  private static Turn turn(String id) {
    return Turn.builder(id)
        .input(InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":\"" + id + "\"}]"))
        .output(InputItems.parse("[{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"ok\"}]"))
        .model("gpt-4o")
        .provider("openai")
        .createdAt(1_767_225_600L)
        .build();
  }

  private static Map<String, String> options() {
    return TestDatabase.get().options(table(), "layout", Layout.TURNS.optionValue());
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
