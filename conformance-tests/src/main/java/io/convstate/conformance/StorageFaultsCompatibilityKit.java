package io.convstate.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.convstate.History;
import io.convstate.ItemQuery;
import io.convstate.PreviousResponseNotFoundException;
import io.convstate.ResponsesConversations;
import io.convstate.StorageException;
import io.convstate.Turn;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A capability tier of the kit, for a backend whose test can break and restore its storage: a
 * storage failure is a typed error, never an absent response, and the store recovers by itself.
 * Extend it beside {@link StateStoreCompatibilityKit}, with the same {@link #createStore}, and
 * implement {@link #storageFaults()}:
 *
 * <pre>{@code
 * class MyStoreFaultsTest extends StorageFaultsCompatibilityKit {
 *   static final FaultyProxy PROXY = FaultyProxy.start("localhost", 6379);
 *   protected StateStore createStore(Clock clock) { return new MyStore(clock, "localhost:" + PROXY.port(), ...); }
 *   protected String providerType() { return "mine"; }
 *   protected StorageFaults storageFaults() { return PROXY; }
 * }
 * }</pre>
 */
public abstract class StorageFaultsCompatibilityKit extends KitSupport {

  /**
   * Breaks and restores the storage behind the current {@link #store}. A store over broken storage
   * should fail within seconds: give the stores {@link #createStore} makes short timeouts.
   */
  protected abstract StorageFaults storageFaults();

  /** How long the store may take to work again once the storage is back: 30 seconds by default. */
  protected Duration recoveryTimeout() {
    return Duration.ofSeconds(30);
  }



  @Test
  @DisplayName("with the storage broken, every operation fails with a StorageUnavailableException: no false delete, no zero cleanup, no silent record, no healthy ping")
  void everyOperationFailsTyped() {
    Turn a = first("resp_a");
    StorageFaults faults = storageFaults();
    faults.breakStorage();
    try {
      expectFailureOrTruth("record", () -> store.record(turn("resp_a", "resp_b").build()), null);
      expectFailureOrTruth("record of a first turn", () -> store.record(turn("resp_c").build()), null);
      expectFailureOrTruth("delete", () -> store.delete(null, "resp_a"), null);
      expectFailureOrTruth("cleanup", () -> store.deleteInactiveBefore(clock.instant().plusSeconds(1)), null);
      expectFailureOrTruth("ping", () -> {
        store.ping();
        return "answered";
      }, null);
    } finally {
      faults.restoreStorage();
    }
    awaitRecovery();
    assertSameItems(itemsOf(a), history("resp_a").items());
    assertAbsent(null, "resp_b");
    assertAbsent(null, "resp_c");
  }

  @Test
  @DisplayName("with the storage broken, a read of a stored response fails or returns it whole, never empty")
  void noFailureLooksLikeAbsence() {
    Turn a = first("resp_a");
    Turn b = store.record(turn("resp_a", "resp_b").build());
    StorageFaults faults = storageFaults();
    faults.breakStorage();
    try {
      expectFailureOrTruth("history", () -> store.history(null, "resp_b").map(History::items).map(i -> i.size()),
          Optional.of(itemsOf(a, b).size()));
      expectFailureOrTruth("turn", () -> store.turn(null, "resp_b").map(Turn::responseId), Optional.of("resp_b"));
      expectFailureOrTruth("input items", () -> store.inputItems(null, "resp_b", ItemQuery.firstPage()).map(p -> p.data().size()),
          Optional.of(3));
      Throwable prepare = catchThrowable(() -> new ResponsesConversations(store).prepare(null, "resp_b",
          io.convstate.conformance.JsonAssertions.parse("\"next\"")));
      if (prepare != null) { // a near cache may serve the history: then prepare succeeds, as it should
        assertThat(prepare).as("prepare during an outage").isNotInstanceOf(PreviousResponseNotFoundException.class);
      }
    } finally {
      faults.restoreStorage();
    }
    awaitRecovery();
    assertSameItems(itemsOf(a, b), history("resp_b").items());
  }

  @Test
  @DisplayName("after the storage is back, the same store records and reads again without being reopened")
  void recoversAfterRestore() {
    first("resp_a");
    storageFaults().breakStorage();
    catchThrowable(() -> store.record(turn("resp_a", "resp_lost").build()));
    storageFaults().restoreStorage();
    awaitRecovery();
    store.ping();
    Turn b = store.record(turn("resp_a", "resp_b").build());
    assertThat(history("resp_b").responseIds()).containsExactly("resp_a", "resp_b");
    assertSameRecord(b, store.turn(null, "resp_b").orElseThrow());
  }

  /**
   * Asserts the call throws a StorageUnavailableException (the storage is unreachable: retryable), or (for reads a cache may serve) returns what is
   * true; truth null means only a failure is acceptable.
   */
  private void expectFailureOrTruth(String what, Supplier<Object> call, Object truth) {
    Object[] result = new Object[1];
    Throwable thrown = catchThrowable(() -> result[0] = call.get());
    if (thrown == null) {
      assertThat(truth).as("%s succeeded with the storage broken, returning %s", what, result[0]).isNotNull();
      assertThat(result[0]).as("%s with the storage broken", what).isEqualTo(truth);
    } else {
      assertThat(thrown).as("%s with the storage unreachable", what).isInstanceOf(io.convstate.StorageUnavailableException.class);
    }
  }

  /** Polls until a read works again, for at most {@link #recoveryTimeout()}. */
  private void awaitRecovery() {
    long deadline = System.nanoTime() + recoveryTimeout().toNanos();
    while (true) {
      try {
        store.history(null, "resp_recovery_probe");
        return;
      } catch (StorageException e) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the store did not recover within " + recoveryTimeout() + " of the storage coming back", e);
        }
        sleep(100);
      }
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
