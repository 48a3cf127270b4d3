package io.convstate.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.InvalidInputException;
import io.convstate.ItemQuery;
import io.convstate.StateNotFoundException;
import io.convstate.StateStore;
import io.convstate.StoreClosedException;
import io.convstate.Turn;
import io.convstate.memory.MemoryStateStore;
import io.convstate.spi.BatchedCleanup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("MeteredStateStore")
class MeteredStateStoreTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MemoryStateStore memory = new MemoryStateStore();
  private final MeteredStateStore store = MeteredStateStore.wrap(memory, registry);

  @AfterEach
  void close() {
    store.close();
  }

  static Turn.Builder turn(String id) {
    return Turn.builder(id)
        .input(InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":\"hi\"}]"))
        .output(InputItems.empty())
        .model("gpt-4o")
        .provider("openai")
        .createdAt(1_767_225_600L);
  }

  private long count(String operation, String outcome) {
    Timer timer = registry.find(MeteredStateStore.TIMER).tag("operation", operation).tag("outcome", outcome).timer();
    return timer == null ? 0 : timer.count();
  }

  private double errors(String operation, String exception) {
    Counter counter = registry.find(MeteredStateStore.ERRORS).tag("operation", operation).tag("exception", exception).counter();
    return counter == null ? 0 : counter.count();
  }

  @Nested
  @DisplayName("times every operation with its outcome")
  class Timers {

    @Test
    @DisplayName("a successful record, read, listing, delete, cleanup, ping and check each count once as success")
    void successes() {
      store.checkRecordable(turn("resp_1").build());
      store.record(turn("resp_1").build());
      store.history(null, "resp_1");
      store.turn(null, "resp_1");
      store.inputItems(null, "resp_1", ItemQuery.firstPage());
      store.delete(null, "resp_1");
      store.deleteInactiveBefore(Instant.EPOCH);
      store.ping();

      for (String operation : List.of("check_recordable", "record", "history", "turn", "input_items", "delete", "cleanup", "ping")) {
        assertThat(count(operation, "success")).as(operation).isEqualTo(1);
      }
    }

    @Test
    @DisplayName("reads of an unknown response and a delete of nothing count as absent")
    void absences() {
      store.history(null, "resp_none");
      store.turn(null, "resp_none");
      store.inputItems(null, "resp_none", ItemQuery.firstPage());
      store.delete(null, "resp_none");

      for (String operation : List.of("history", "turn", "input_items", "delete")) {
        assertThat(count(operation, "absent")).as(operation).isEqualTo(1);
        assertThat(count(operation, "success")).as(operation).isZero();
      }
    }

    @Test
    @DisplayName("tags the backend with the name derived from the store's class, or the given one, plus the extra tags")
    void backendTag() {
      store.ping();
      MeteredStateStore named = MeteredStateStore.wrap(new MemoryStateStore(), registry, "primary", Tag.of("app", "chat"));
      named.ping();
      named.close();

      assertThat(registry.find(MeteredStateStore.TIMER).tag("backend", "memory").tag("operation", "ping").timer().count()).isEqualTo(1);
      assertThat(registry.find(MeteredStateStore.TIMER).tag("backend", "primary").tag("app", "chat").tag("operation", "ping").timer().count())
          .isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("counts errors by exception type, and changes nothing the store does")
  class Errors {

    @Test
    @DisplayName("a record continuing an unknown response throws the store's exception, timed as error and counted by its type")
    void previousNotFound() {
      assertThatThrownBy(() -> store.record(turn("resp_2").previousResponseId("resp_unknown").build()))
          .isInstanceOf(StateNotFoundException.class);

      assertThat(count("record", "error")).isEqualTo(1);
      assertThat(errors("record", "StateNotFoundException")).isEqualTo(1);
    }

    @Test
    @DisplayName("bad input throws the same InvalidInputException as the wrapped store")
    void badInput() {
      Throwable direct = org.assertj.core.api.Assertions.catchThrowable(() -> memory.history(null, " "));
      Throwable metered = org.assertj.core.api.Assertions.catchThrowable(() -> store.history(null, " "));

      assertThat(metered).isInstanceOf(InvalidInputException.class).hasMessage(direct.getMessage());
      assertThat(errors("history", "InvalidInputException")).isEqualTo(1);
    }

    @Test
    @DisplayName("after close, every call throws StoreClosedException and counts it")
    void closed() {
      store.close();

      assertThatThrownBy(store::ping).isInstanceOf(StoreClosedException.class);
      assertThatThrownBy(() -> store.history(null, "resp_1")).isInstanceOf(StoreClosedException.class);
      assertThat(errors("ping", "StoreClosedException")).isEqualTo(1);
      assertThat(errors("history", "StoreClosedException")).isEqualTo(1);
      assertThat(count("ping", "error")).isEqualTo(1);
    }

    @Test
    @DisplayName("returns exactly what the wrapped store returned")
    void sameResults() {
      Turn recorded = store.record(turn("resp_3").build());
      Optional<History> history = store.history(null, "resp_3");

      assertThat(recorded).isEqualTo(memory.turn(null, "resp_3").orElseThrow());
      assertThat(history.map(History::last)).isEqualTo(memory.turn(null, "resp_3"));
      assertThat(store.delete(null, "resp_3")).isTrue();
      assertThat(store.delete(null, "resp_3")).isFalse();
    }
  }

  @Nested
  @DisplayName("batched cleanup")
  class Batched {

    @Test
    @DisplayName("a store without batches cleans up in one call and reports its total once")
    void reportsTotalOnce() {
      MemoryStateStore dated = new MemoryStateStore();
      MeteredStateStore metered = MeteredStateStore.wrap(dated, registry);
      metered.record(turn("resp_4").build());
      List<Long> progress = new ArrayList<>();

      long removed = ((BatchedCleanup) metered).deleteInactiveBefore(Instant.now().plusSeconds(3600), progress::add);

      assertThat(removed).isEqualTo(1);
      assertThat(progress).containsExactly(1L);
      assertThat(count("cleanup", "success")).isEqualTo(1);
      metered.close();
    }
  }

  @Test
  @DisplayName("delegate() is the wrapped store and close closes it")
  void delegation() {
    StateStore wrapped = store.delegate();
    store.close();

    assertThat(wrapped).isSameAs(memory);
    assertThatThrownBy(memory::ping).isInstanceOf(StoreClosedException.class);
  }
}
