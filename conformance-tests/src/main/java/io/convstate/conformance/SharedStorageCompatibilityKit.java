package io.convstate.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.convstate.ItemQuery;
import io.convstate.ResponseConflictException;
import io.convstate.StateNotFoundException;
import io.convstate.StateStore;
import io.convstate.Turn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A capability tier of the kit, for a backend whose storage several instances (nodes) share: what
 * one instance did, another sees. Extend it beside {@link StateStoreCompatibilityKit}, with the
 * same {@link #createStore}, and implement {@link #createSecondInstance}.
 */
public abstract class SharedStorageCompatibilityKit extends KitSupport {

  /**
   * A second store over the same storage as the current {@link #store} (another node), on the same
   * clock. The kit closes it.
   */
  protected abstract StateStore createSecondInstance(Clock clock);

  /**
   * How long a delete or a cleanup on one instance may still be served by another: zero (the
   * default) for strongly consistent backends; a near cache declares its window. Recordings are
   * always visible at once.
   */
  protected Duration visibilityDelay() {
    return Duration.ZERO;
  }


  private StateStore other;

  @BeforeEach
  void openSecond() {
    other = createSecondInstance(clock);
  }

  @AfterEach
  void closeSecond() {
    if (other != null) {
      other.close();
    }
  }

  @Test
  @DisplayName("a completed record on one instance is read at once on the other: history, turn and input items")
  void recordVisibleAtOnce() {
    Turn a = first("resp_a");
    Turn b = store.record(turn("resp_a", "resp_b").build());
    assertSameItems(itemsOf(a, b), other.history(null, "resp_b").orElseThrow().items());
    assertSameRecord(b, other.turn(null, "resp_b").orElseThrow());
    assertThat(other.inputItems(null, "resp_b", ItemQuery.firstPage()).orElseThrow().data()).hasSize(3);
  }

  @Test
  @DisplayName("a conversation continues across instances, turn by turn")
  void continuesAcrossInstances() {
    Turn a = first("resp_a");
    Turn b = other.record(turn("resp_a", "resp_b").build());
    Turn c = store.record(turn("resp_b", "resp_c").build());
    Turn d = other.record(turn("resp_c", "resp_d").build());
    assertSameItems(itemsOf(a, b, c, d), store.history(null, "resp_d").orElseThrow().items());
    assertSameItems(itemsOf(a, b, c, d), other.history(null, "resp_d").orElseThrow().items());
  }

  @Test
  @DisplayName("an id taken on one instance is a conflict on the other, and racing recorders of one id on both get one winner")
  void conflictsAcrossInstances() throws Exception {
    first("resp_a");
    assertThat(catchThrowable(() -> other.record(turn("resp_a").output(messages("other", 1)).build())))
        .isInstanceOf(ResponseConflictException.class);
    for (int round = 0; round < 5; round++) {
      String id = "resp_race_" + round;
      List<Object> results = runTogether(times(4, t -> () -> {
        try {
          return (t % 2 == 0 ? store : other).record(turn(id).model("model" + t).build());
        } catch (ResponseConflictException e) {
          return e;
        }
      }));
      List<Object> winners = results.stream().filter(Turn.class::isInstance).collect(java.util.stream.Collectors.toList());
      assertThat(winners).as("winners of round %d", round).hasSize(1);
      assertThat(other.turn(null, id).orElseThrow().model()).isEqualTo(((Turn) winners.get(0)).model());
      assertThat(store.turn(null, id).orElseThrow().model()).isEqualTo(((Turn) winners.get(0)).model());
    }
  }

  @Test
  @DisplayName("a delete on one instance stops the other from serving the response, within the declared window")
  void deleteVisible() {
    chain("resp_a", "resp_b");
    assertThat(other.history(null, "resp_b")).isPresent();
    assertThat(store.delete(null, "resp_b")).isTrue();
    awaitAbsent(other, "resp_b");
    assertThat(catchThrowable(() -> other.record(turn("resp_b", "resp_c").build())))
        .isInstanceOf(StateNotFoundException.class);
    assertThat(other.delete(null, "resp_b")).isFalse();
  }

  @Test
  @DisplayName("a cleanup on one instance stops the other from serving what it removed, within the declared window")
  void cleanupVisible() {
    chain("resp_a", "resp_b");
    assertThat(other.history(null, "resp_b")).isPresent();
    Instant cutoff = later(Duration.ofSeconds(1));
    assertThat(store.deleteInactiveBefore(cutoff)).isEqualTo(2);
    awaitAbsent(other, "resp_b");
    awaitAbsent(other, "resp_a");
  }

  private void awaitAbsent(StateStore instance, String responseId) {
    long deadline = System.nanoTime() + visibilityDelay().plusMillis(50).toNanos();
    while (instance.history(null, responseId).isPresent()) {
      assertThat(System.nanoTime()).as("%s still served by the other instance after %s", responseId, visibilityDelay())
          .isLessThan(deadline);
      sleep(20);
    }
  }

  static void sleep(long millis) {
    StorageFaultsCompatibilityKit.sleep(millis);
  }
}
