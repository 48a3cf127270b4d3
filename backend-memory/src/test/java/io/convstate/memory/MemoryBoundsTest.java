package io.convstate.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.ConfigurationException;
import io.convstate.InputItems;
import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.Turn;
import io.convstate.conformance.TestClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The memory store's bounds")
class MemoryBoundsTest {

  private final TestClock clock = new TestClock();

  private static Turn turn(String id, String previous, int bytes) {
    return Turn.builder(id).previousResponseId(previous).model("m").provider("p")
        .input(InputItems.parse("[{\"text\":\"" + "x".repeat(bytes) + "\"}]")).build();
  }

  @Nested
  @DisplayName("maximum_weight")
  class Weight {

    @Test
    @DisplayName("over the bound, the least recently active conversations are evicted whole, the active one kept")
    void evictsOldestConversations() {
      MemoryStateStore store = new MemoryStateStore(clock, 1 << 20, 60_000, null);
      for (int c = 0; c < 10; c++) {
        if (c == 5) {
          store.record(turn("resp_0_c", "resp_0_b", 4_000)); // conversation 0 becomes recently active
        }
        store.record(turn("resp_" + c + "_a", null, 4_000));
        store.record(turn("resp_" + c + "_b", "resp_" + c + "_a", 4_000));
        clock.advance(Duration.ofSeconds(1));
      }
      assertThat(store.weight()).isLessThanOrEqualTo(60_000);
      for (int c = 0; c < 10; c++) {
        boolean first = store.history(null, "resp_" + c + "_a").isPresent();
        assertThat(store.history(null, "resp_" + c + "_b").isPresent()).as("conversation %d is whole or gone", c).isEqualTo(first);
      }
      assertThat(store.history(null, "resp_0_c").orElseThrow().size()).isEqualTo(3);
      assertThat(store.history(null, "resp_1_a")).as("the least recently active").isEmpty();
      assertThat(store.history(null, "resp_9_b")).as("the most recently active after 0").isPresent();
    }

    @Test
    @DisplayName("a conversation of 1,000 turns weighs its turns once, not its histories")
    void weighsTurnsOnce() {
      MemoryStateStore store = new MemoryStateStore(clock, 1 << 20, 64L << 20, null);
      store.record(turn("resp_0", null, 1_000));
      for (int i = 1; i < 1_000; i++) {
        store.record(turn("resp_" + i, "resp_" + (i - 1), 1_000));
      }
      assertThat(store.weight()).isBetween(1_000L * 1_000, 1_000L * (1_000 + 2 * MemoryStateStore.TURN_OVERHEAD));
      assertThat(store.history(null, "resp_999").orElseThrow().size()).isEqualTo(1_000);
    }
  }

  @Nested
  @DisplayName("retention")
  class Retention {

    @Test
    @DisplayName("conversations inactive for longer than the retention are removed as later turns are recorded")
    void removesInactive() {
      MemoryStateStore store = new MemoryStateStore(clock, 1 << 20, 1 << 30, Duration.ofDays(7));
      store.record(turn("resp_old", null, 10));
      clock.advance(Duration.ofDays(6));
      store.record(turn("resp_kept", null, 10));
      clock.advance(Duration.ofDays(2));
      store.record(turn("resp_new", null, 10));
      assertThat(store.history(null, "resp_old")).isEmpty();
      assertThat(store.history(null, "resp_kept")).isPresent();
      assertThat(store.size()).isEqualTo(2);
    }
  }

  @Nested
  @DisplayName("configuration")
  class Configuration {

    @Test
    @DisplayName("maximum_weight and retention are read from configuration, and bad values are named")
    void options() {
      try (StateStore store = StateStores.open(Map.of("type", "memory", "maximum_weight", "1MiB", "max_items_bytes", "512KiB", "retention", "1h"))) {
        assertThat(store).isInstanceOf(MemoryStateStore.class);
      }
      assertThatThrownBy(() -> StateStores.open(Map.of("type", "memory", "retention", "0s")))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("retention");
      assertThatThrownBy(() -> StateStores.open(Map.of("type", "memory", "maximum_weight", "1KiB")))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("maximum_weight");
      assertThatThrownBy(() -> StateStores.open(Map.of("type", "memory", "maximum_weight", "lots")))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("maximum_weight");
    }
  }
}
