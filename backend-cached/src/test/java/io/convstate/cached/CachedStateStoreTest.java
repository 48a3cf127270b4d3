package io.convstate.cached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.convstate.ConfigurationException;
import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.ItemQuery;
import io.convstate.PreparedTurn;
import io.convstate.ResponseConflictException;
import io.convstate.ResponsesConversations;
import io.convstate.StateNotFoundException;
import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreClosedException;
import io.convstate.Turn;
import io.convstate.conformance.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The cached store")
class CachedStateStoreTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestClock clock = new TestClock();
  private final ScriptedStore delegate = new ScriptedStore(clock);
  private final AtomicLong nanos = new AtomicLong();
  private final Ticker ticker = nanos::get;
  private CachedStateStore store = CachedStateStore.builder(delegate).ticker(ticker).build();

  @AfterEach
  void close() {
    store.close();
  }

  private static Turn turn(String id, String previous, String text) {
    return turn(id, previous, null, text);
  }

  private static Turn turn(String id, String previous, String owner, String text) {
    return Turn.builder(id)
        .previousResponseId(previous)
        .owner(owner)
        .input(InputItems.parse("[{\"role\":\"user\",\"content\":\"" + text + "\"}]"))
        .output(InputItems.parse("[{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"re " + text + "\"}]"))
        .model("m")
        .provider("p")
        .createdAt(1_700_000_000L)
        .build();
  }

  /** A turn whose input is about {@code bytes} bytes of JSON. */
  private static Turn sized(String id, String previous, int bytes) {
    return Turn.builder(id)
        .previousResponseId(previous)
        .input(InputItems.parse("[{\"t\":\"" + "x".repeat(bytes - 10) + "\"}]"))
        .model("m")
        .provider("p")
        .createdAt(1_700_000_000L)
        .build();
  }

  /** Records {@code prefix_1} to {@code prefix_n} as one conversation through {@code target}. */
  private static List<String> conversation(StateStore target, String prefix, int turns) {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= turns; i++) {
      String id = prefix + "_" + i;
      target.record(turn(id, i == 1 ? null : ids.get(i - 2), "turn " + i));
      ids.add(id);
    }
    return ids;
  }

  private static List<String> ids(Optional<History> history) {
    return history.orElseThrow().responseIds();
  }

  @Nested
  @DisplayName("reads")
  class Reads {

    @Test
    @DisplayName("a hit does not reach the delegate, for the history, the turn and the input items")
    void hits() {
      store.record(turn("resp_1", null, "a"));
      for (int i = 0; i < 10; i++) {
        assertThat(ids(store.history(null, "resp_1"))).containsExactly("resp_1");
      }
      assertThat(store.turn(null, "resp_1").orElseThrow().input().toJson()).contains("\"a\"");
      assertThat(store.inputItems(null, "resp_1", ItemQuery.firstPage()).orElseThrow().data()).hasSize(1);
      assertThat(delegate.histories).hasValue(0);
    }

    @Test
    @DisplayName("a miss loads from the delegate once and is then a hit")
    void missThenHit() {
      delegate.turns.record(turn("resp_1", null, "a"));
      assertThat(ids(store.history(null, "resp_1"))).containsExactly("resp_1");
      assertThat(ids(store.history(null, "resp_1"))).containsExactly("resp_1");
      assertThat(delegate.histories).hasValue(1);
    }

    @Test
    @DisplayName("16 threads missing one id at once cause one delegate read, and all get its result")
    void singleFlight() throws Exception {
      conversation(delegate.turns, "resp", 3);
      delegate.readDone = new CountDownLatch(1);
      delegate.release = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<Optional<History>>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(pool.submit(() -> store.history(null, "resp_3")));
      }
      assertThat(delegate.readDone.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200); // the other 15 are now waiting on the load in flight
      delegate.release.countDown();
      for (Future<Optional<History>> result : results) {
        assertThat(ids(result.get(10, TimeUnit.SECONDS))).containsExactly("resp_1", "resp_2", "resp_3");
      }
      pool.shutdown();
      assertThat(delegate.histories).hasValue(1);
    }

    @Test
    @DisplayName("a failed load reaches every waiting caller as the same exception and leaves nothing cached")
    void failedLoad() throws Exception {
      delegate.turns.record(turn("resp_1", null, "a"));
      delegate.failHistories = true;
      delegate.readDone = new CountDownLatch(1);
      delegate.release = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<Optional<History>>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> store.history(null, "resp_1")));
      }
      assertThat(delegate.readDone.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200);
      delegate.release.countDown();
      List<Throwable> failures = new ArrayList<>();
      for (Future<Optional<History>> result : results) {
        failures.add(catchThrowable(() -> result.get(10, TimeUnit.SECONDS)).getCause());
      }
      pool.shutdown();
      assertThat(failures).allSatisfy(e -> assertThat(e).isSameAs(failures.get(0)).isInstanceOf(StorageUnavailableException.class));
      assertThat(delegate.histories).hasValue(1);

      delegate.failHistories = false;
      delegate.readDone = null;
      assertThat(ids(store.history(null, "resp_1"))).as("nothing was cached by the failure").containsExactly("resp_1");
      assertThat(delegate.histories).hasValue(2);
    }

    @Test
    @DisplayName("a failed miss logs nothing: the caller gets the exception, not the log")
    void failedMissLogsNothing() {
      Logger caffeine = Logger.getLogger("com.github.benmanes.caffeine.cache.LocalAsyncCache");
      List<LogRecord> logged = new CopyOnWriteArrayList<>();
      Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
          logged.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
      caffeine.addHandler(handler);
      try {
        delegate.failHistories = true;
        for (int i = 0; i < 3; i++) {
          assertThatThrownBy(() -> store.history(null, "resp_1")).isInstanceOf(StorageUnavailableException.class);
        }
        assertThat(logged).isEmpty();
        assertThat(store.stats().loadFailureCount()).isEqualTo(3);
      } finally {
        caffeine.removeHandler(handler);
      }
    }

    @Test
    @DisplayName("absence is not cached by default: a turn recorded elsewhere is visible at once")
    void absenceNotCached() {
      assertThat(store.history(null, "resp_1")).isEmpty();
      delegate.turns.record(turn("resp_1", null, "elsewhere"));
      assertThat(ids(store.history(null, "resp_1"))).containsExactly("resp_1");
    }

    @Test
    @DisplayName("with a negative TTL, absence is remembered for that long")
    void negativeTtl() {
      store = CachedStateStore.builder(delegate).ticker(ticker).negativeTtl(Duration.ofSeconds(5)).build();
      assertThat(store.history(null, "resp_1")).isEmpty();
      delegate.turns.record(turn("resp_1", null, "elsewhere"));
      assertThat(store.history(null, "resp_1")).isEmpty();
      assertThat(store.turn(null, "resp_1")).isEmpty();
      nanos.addAndGet(Duration.ofSeconds(6).toNanos());
      assertThat(ids(store.history(null, "resp_1"))).containsExactly("resp_1");
    }
  }

  @Nested
  @DisplayName("owners")
  class Owners {

    @Test
    @DisplayName("another owner's cached response reads as absent: history, turn, input items and delete")
    void isolated() {
      store.record(turn("resp_1", null, "alice", "a"));
      for (String other : new String[] {"bob", null}) {
        assertThat(store.history(other, "resp_1")).isEqualTo(store.history(other, "resp_unknown")).isEmpty();
        assertThat(store.turn(other, "resp_1")).isEmpty();
        assertThat(store.inputItems(other, "resp_1", ItemQuery.firstPage())).isEmpty();
        assertThat(store.delete(other, "resp_1")).isFalse();
      }
      assertThat(ids(store.history("alice", "resp_1"))).containsExactly("resp_1");
    }

    @Test
    @DisplayName("a read of another owner's cached response asks the delegate, as a read of an absent id does")
    void foreignReadIsAMiss() {
      store.record(turn("resp_1", null, "alice", "a"));
      store.history("bob", "resp_unknown");
      int readsOfAbsent = delegate.histories.getAndSet(0);
      store.history("bob", "resp_1");
      assertThat(delegate.histories.getAndSet(0)).isEqualTo(readsOfAbsent).isEqualTo(1);
      assertThat(ids(store.history("alice", "resp_1"))).containsExactly("resp_1");
      assertThat(delegate.histories).as("the owner's entry is still a hit").hasValue(0);
    }

    @Test
    @DisplayName("an owner that joins another owner's load in flight gets its own answer, both ways round")
    void singleFlightAcrossOwners() throws Exception {
      delegate.turns.record(turn("resp_1", null, "alice", "a"));
      for (String[] order : new String[][] {{"alice", "bob"}, {"bob", "alice"}}) {
        store.cache().invalidate("resp_1");
        delegate.readDone = new CountDownLatch(1);
        delegate.release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<Optional<History>> first = pool.submit(() -> store.history(order[0], "resp_1"));
        assertThat(delegate.readDone.await(10, TimeUnit.SECONDS)).isTrue();
        Future<Optional<History>> second = pool.submit(() -> store.history(order[1], "resp_1"));
        Thread.sleep(200); // the second caller is now waiting on the first one's load
        delegate.release.countDown();
        Optional<History> alice = (order[0].equals("alice") ? first : second).get(10, TimeUnit.SECONDS);
        Optional<History> bob = (order[0].equals("bob") ? first : second).get(10, TimeUnit.SECONDS);
        pool.shutdown();
        delegate.readDone = null;
        assertThat(ids(alice)).as("alice after %s", order[0]).containsExactly("resp_1");
        assertThat(bob).as("bob after %s", order[0]).isEmpty();
      }
    }

    @Test
    @DisplayName("with a negative TTL, one owner's absence does not hide another owner's response")
    void absenceIsPerOwner() {
      store = CachedStateStore.builder(delegate).ticker(ticker).negativeTtl(Duration.ofMinutes(5)).build();
      delegate.turns.record(turn("resp_1", null, "alice", "a"));
      assertThat(store.history("bob", "resp_1")).isEmpty();
      assertThat(ids(store.history("alice", "resp_1"))).containsExactly("resp_1");
      assertThat(store.history("bob", "resp_1")).isEmpty();
    }

    @Test
    @DisplayName("continuing another owner's cached response fails as not found and caches nothing")
    void continuingAnotherOwners() {
      store.record(turn("resp_1", null, "alice", "a"));
      assertThatThrownBy(() -> store.record(turn("resp_2", "resp_1", "bob", "b")))
          .isInstanceOf(StateNotFoundException.class).hasMessageContaining("resp_1");
      assertThat(store.history("bob", "resp_2")).isEmpty();
      assertThat(ids(store.history("alice", "resp_1"))).containsExactly("resp_1");
    }
  }

  @Nested
  @DisplayName("recording")
  class Recording {

    @Test
    @DisplayName("a conversation continued through the cache reads nothing from the delegate, and each turn writes one turn")
    void continuesFromCache() throws Exception {
      ResponsesConversations conversations = new ResponsesConversations(store, clock);
      String previous = null;
      for (int i = 1; i <= 50; i++) {
        PreparedTurn prepared = conversations.prepare("alice", previous, JSON.readTree("\"question " + i + "\""));
        JsonNode output = JSON.readTree("[{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"answer " + i + "\"}]");
        previous = conversations.record(prepared, "resp_" + i, output, "m", "p").responseId();
      }
      assertThat(delegate.histories).as("delegate reads").hasValue(0);
      assertThat(delegate.records).as("delegate writes").hasValue(50);
      History cached = store.history("alice", "resp_50").orElseThrow();
      History stored = delegate.turns.history("alice", "resp_50").orElseThrow();
      assertThat(cached.turns()).isEqualTo(stored.turns());
      assertThat(cached.items().toJson()).isEqualTo(stored.items().toJson());
    }

    @Test
    @DisplayName("a turn whose previous response is not cached is left to load on its first read")
    void previousNotCached() {
      delegate.turns.record(turn("resp_1", null, "a"));
      Turn stored = store.record(turn("resp_2", "resp_1", "b"));
      assertThat(delegate.histories).hasValue(0);
      assertThat(stored.recordedAt()).isPresent();
      assertThat(ids(store.history(null, "resp_2"))).containsExactly("resp_1", "resp_2");
      assertThat(ids(store.history(null, "resp_2"))).containsExactly("resp_1", "resp_2");
      assertThat(delegate.histories).hasValue(1);
    }

    @Test
    @DisplayName("the cached history holds the turns as the delegate stored them")
    void cachesStored() {
      Turn first = store.record(turn("resp_1", null, "a"));
      clock.advance(Duration.ofMinutes(1));
      Turn second = store.record(turn("resp_2", "resp_1", "b"));
      assertThat(store.history(null, "resp_2").orElseThrow().turns()).containsExactly(first, second);
      assertThat(second.conversationCreatedAt()).isEqualTo(first.createdAt());
      assertThat(second.recordedAt()).contains(TestClock.START.plus(Duration.ofMinutes(1)));
    }

    @Test
    @DisplayName("a record the delegate refuses throws its exception and caches nothing for the new id")
    void failedRecord() {
      store.record(turn("resp_1", null, "a"));
      delegate.failRecords = true;
      assertThatThrownBy(() -> store.record(turn("resp_2", "resp_1", "b"))).isInstanceOf(StorageUnavailableException.class);
      delegate.failRecords = false;
      assertThat(store.history(null, "resp_2")).isEmpty();
      assertThat(ids(store.history(null, "resp_1"))).containsExactly("resp_1");
    }

    @Test
    @DisplayName("a record whose outcome is unknown drops the id, even an absence remembered before it")
    void unknownOutcome() {
      store = CachedStateStore.builder(delegate).ticker(ticker).negativeTtl(Duration.ofMinutes(5)).build();
      store.record(turn("resp_1", null, "a"));
      assertThat(store.history(null, "resp_2")).isEmpty();
      delegate.failAfterWriting = true;
      assertThatThrownBy(() -> store.record(turn("resp_2", "resp_1", "b"))).isInstanceOf(StorageUnavailableException.class);
      assertThat(ids(store.history(null, "resp_2"))).as("what the delegate holds").containsExactly("resp_1", "resp_2");
    }

    @Test
    @DisplayName("a recorded turn replaces an absence remembered for its id")
    void replacesAbsence() {
      store = CachedStateStore.builder(delegate).ticker(ticker).negativeTtl(Duration.ofMinutes(5)).build();
      assertThat(store.history(null, "resp_1")).isEmpty();
      store.record(turn("resp_1", null, "a"));
      assertThat(ids(store.history(null, "resp_1"))).containsExactly("resp_1");
    }

    @Test
    @DisplayName("when the delegate no longer has the previous response, the stale cached one is dropped")
    void stalePrevious() {
      store.record(turn("resp_1", null, "a"));
      delegate.turns.delete(null, "resp_1"); // another instance deleted it
      assertThatThrownBy(() -> store.record(turn("resp_2", "resp_1", "b")))
          .isInstanceOf(StateNotFoundException.class).hasMessageContaining("resp_1");
      assertThat(store.history(null, "resp_1")).isEmpty();
    }

    @Test
    @DisplayName("recording the same turn again returns it; a different turn under the id is a conflict that leaves the cache right")
    void createOnly() {
      store.record(turn("resp_1", null, "a"));
      Turn stored = store.record(turn("resp_2", "resp_1", "b"));
      assertThat(store.record(turn("resp_2", "resp_1", "b"))).isEqualTo(stored);
      assertThatThrownBy(() -> store.record(turn("resp_2", "resp_1", "other")))
          .isInstanceOf(ResponseConflictException.class);
      assertThat(store.turn(null, "resp_2")).contains(stored);
    }

    @Test
    @DisplayName("a record racing a delete of its id does not leave the deleted response cached")
    void recordRacingDelete() throws Exception {
      store.record(turn("resp_1", null, "a"));
      delegate.recordDone = new CountDownLatch(1);
      delegate.recordRelease = new CountDownLatch(1);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      Future<Turn> recording = pool.submit(() -> store.record(turn("resp_2", "resp_1", "b")));
      pool.shutdown();
      assertThat(delegate.recordDone.await(10, TimeUnit.SECONDS)).isTrue();
      delegate.recordDone = null;
      assertThat(store.delete(null, "resp_2")).isTrue();
      delegate.recordRelease.countDown();
      recording.get(10, TimeUnit.SECONDS);
      assertThat(store.history(null, "resp_2")).isEmpty();
      assertThat(store.turn(null, "resp_2")).isEmpty();
    }
  }

  @Nested
  @DisplayName("deletes")
  class Deletes {

    @Test
    @DisplayName("a delete drops the id; a response that continues it still reads its whole history")
    void delete() {
      conversation(store, "resp", 3);
      assertThat(store.delete(null, "resp_2")).isTrue();
      assertThat(store.history(null, "resp_2")).isEmpty();
      assertThat(store.delete(null, "resp_2")).isFalse();
      assertThat(ids(store.history(null, "resp_3"))).containsExactly("resp_1", "resp_2", "resp_3");
      assertThat(ids(store.history(null, "resp_1"))).containsExactly("resp_1");
    }

    @Test
    @DisplayName("a delete whose outcome is unknown drops the id")
    void unknownOutcome() {
      store.record(turn("resp_1", null, "a"));
      delegate.failAfterWriting = true;
      assertThatThrownBy(() -> store.delete(null, "resp_1")).isInstanceOf(StorageUnavailableException.class);
      assertThat(store.history(null, "resp_1")).isEmpty();
    }

    @Test
    @DisplayName("a failed delete leaves a response the delegate still holds readable")
    void failedDelete() {
      store.record(turn("resp_1", null, "alice", "a"));
      delegate.failAfterWriting = true;
      assertThatThrownBy(() -> store.delete("bob", "resp_1")).isInstanceOf(StorageUnavailableException.class);
      assertThat(ids(store.history("alice", "resp_1"))).containsExactly("resp_1");
    }
  }

  @Nested
  @DisplayName("cleanup")
  class Cleanup {

    @Test
    @DisplayName("drops the cached histories of the conversations it removed and keeps the others as hits")
    void dropsRemoved() {
      conversation(store, "old", 2);
      clock.advance(Duration.ofHours(1));
      conversation(store, "new", 2);
      assertThat(store.deleteInactiveBefore(TestClock.START.plus(Duration.ofMinutes(30)))).isEqualTo(2);
      assertThat(store.history(null, "old_1")).isEmpty();
      assertThat(store.history(null, "old_2")).isEmpty();
      int reads = delegate.histories.get();
      assertThat(ids(store.history(null, "new_2"))).containsExactly("new_1", "new_2");
      assertThat(ids(store.history(null, "new_1"))).containsExactly("new_1");
      assertThat(delegate.histories).as("still hits").hasValue(reads);
    }

    @Test
    @DisplayName("a conversation continued since the cutoff keeps every cached turn, the old ones too")
    void keepsActive() {
      store.record(turn("resp_1", null, "a"));
      clock.advance(Duration.ofHours(1));
      store.record(turn("resp_2", "resp_1", "b"));
      assertThat(store.deleteInactiveBefore(TestClock.START.plus(Duration.ofMinutes(30)))).isZero();
      assertThat(ids(store.history(null, "resp_1"))).containsExactly("resp_1");
      assertThat(ids(store.history(null, "resp_2"))).containsExactly("resp_1", "resp_2");
      assertThat(delegate.histories).hasValue(0);
    }

    @Test
    @DisplayName("a conversation continued on another instance may be dropped here, and still reads from the delegate")
    void continuedElsewhere() {
      conversation(store, "resp", 2);
      clock.advance(Duration.ofHours(1));
      delegate.turns.record(turn("resp_3", "resp_2", "c"));
      assertThat(store.deleteInactiveBefore(TestClock.START.plus(Duration.ofMinutes(30)))).isZero();
      assertThat(ids(store.history(null, "resp_2"))).containsExactly("resp_1", "resp_2");
      assertThat(ids(store.history(null, "resp_3"))).containsExactly("resp_1", "resp_2", "resp_3");
    }

    @Test
    @DisplayName("a cleanup that fails still drops what it may have removed")
    void failedCleanup() {
      conversation(store, "resp", 2);
      clock.advance(Duration.ofHours(1));
      delegate.failAfterWriting = true;
      assertThatThrownBy(() -> store.deleteInactiveBefore(clock.instant())).isInstanceOf(StorageUnavailableException.class);
      assertThat(store.history(null, "resp_1")).isEmpty();
      assertThat(store.history(null, "resp_2")).isEmpty();
    }

    @Test
    @DisplayName("a forked conversation is kept whole while any of its branches is active")
    void forks() {
      conversation(store, "resp", 2);
      store.record(turn("fork_3", "resp_2", "old branch"));
      clock.advance(Duration.ofHours(1));
      store.record(turn("resp_3", "resp_2", "new branch"));
      assertThat(store.deleteInactiveBefore(TestClock.START.plus(Duration.ofMinutes(30)))).isZero();
      assertThat(ids(store.history(null, "fork_3"))).containsExactly("resp_1", "resp_2", "fork_3");
      assertThat(delegate.histories).as("every cached turn was kept").hasValue(0);
    }
  }

  @Nested
  @DisplayName("the stale-repopulation race")
  class Races {

    @Test
    @DisplayName("a read that loaded a response before a delete completes does not put it back after")
    void readRacingDelete() throws Exception {
      delegate.turns.record(turn("resp_1", null, "a"));
      Future<Optional<History>> reader = raceRead("resp_1");
      store.delete(null, "resp_1");
      delegate.release.countDown();
      assertThat(reader.get(10, TimeUnit.SECONDS)).as("it began before the delete").isPresent();
      assertThat(store.history(null, "resp_1")).isEmpty();
    }

    @Test
    @DisplayName("a read that loaded a response before a cleanup removed it does not put it back after")
    void readRacingCleanup() throws Exception {
      delegate.turns.record(turn("resp_1", null, "a"));
      clock.advance(Duration.ofHours(1));
      Future<Optional<History>> reader = raceRead("resp_1");
      assertThat(store.deleteInactiveBefore(clock.instant())).isEqualTo(1);
      delegate.release.countDown();
      reader.get(10, TimeUnit.SECONDS);
      assertThat(store.history(null, "resp_1")).isEmpty();
    }

    @Test
    @DisplayName("2,000 rounds of racing reads, records and deletes leave the cache agreeing with the delegate")
    void stress() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<String> recorded = new CopyOnWriteArrayList<>();
      store.record(turn("resp_0", null, "start"));
      recorded.add("resp_0");
      for (int round = 1; round <= 2_000; round++) {
        String previous = recorded.get(recorded.size() - 1);
        String id = "resp_" + round;
        String victim = recorded.get(ThreadLocalRandom.current().nextInt(recorded.size()));
        boolean deletes = round % 3 == 0 && !victim.equals(previous);
        List<Future<?>> tasks = List.of(
            pool.submit(() -> store.history(null, previous)),
            pool.submit(() -> {
              store.record(turn(id, previous, "v" + id));
              recorded.add(id);
            }),
            pool.submit(() -> deletes ? store.delete(null, victim) : store.history(null, id)),
            pool.submit(() -> store.history(null, id)));
        for (Future<?> task : tasks) {
          task.get(10, TimeUnit.SECONDS);
        }
        for (String checked : List.of(previous, id, victim)) {
          assertThat(store.history(null, checked).map(History::responseIds))
              .as("round %d, %s", round, checked).isEqualTo(delegate.turns.history(null, checked).map(History::responseIds));
        }
      }
      pool.shutdown();
    }

    private Future<Optional<History>> raceRead(String responseId) throws InterruptedException {
      delegate.readDone = new CountDownLatch(1);
      delegate.release = new CountDownLatch(1);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      Future<Optional<History>> reader = pool.submit(() -> store.history(null, responseId));
      pool.shutdown();
      assertThat(delegate.readDone.await(10, TimeUnit.SECONDS)).isTrue();
      delegate.readDone = null;
      return reader;
    }
  }

  @Nested
  @DisplayName("bounds and expiry")
  class Bounds {

    @Test
    @DisplayName("a 1,000-turn conversation recorded through the cache stays cached under a bound that holds its turns once")
    void longConversation() {
      long bound = 2L << 20; // 1,000 turns of 1 KiB fit; 1,000 whole histories (about 500 MiB) do not
      store = CachedStateStore.builder(delegate).ticker(ticker).maximumWeight(bound).build();
      String previous = null;
      for (int i = 1; i <= 1_000; i++) {
        previous = store.record(sized("resp_" + i, previous, 1_024)).responseId();
      }
      store.cleanUp();
      assertThat(store.weightedSize()).isBetween(1_000L * 1_024, bound);
      assertThat(store.stats().evictionCount()).isZero();
      for (int i = 1; i <= 1_000; i++) {
        assertThat(store.history(null, "resp_" + i).orElseThrow().size()).isEqualTo(i);
      }
      assertThat(delegate.histories).as("every turn's history was a hit").hasValue(0);
    }

    @Test
    @DisplayName("the weight bound holds in bytes with mixed small and huge turns")
    void weightBound() {
      store = CachedStateStore.builder(delegate).ticker(ticker).maximumWeight(4L << 20).build();
      for (int i = 0; i < 200; i++) {
        store.record(sized("resp_" + i, null, i % 20 == 0 ? 1 << 20 : 500));
        store.cleanUp();
        assertThat(store.weightedSize()).as("after %d writes", i + 1).isLessThanOrEqualTo(4L << 20);
      }
      assertThat(store.stats().evictionCount()).isPositive();
      assertThat(store.cache().estimatedSize()).isLessThan(200);
    }

    @Test
    @DisplayName("a history loaded from the delegate weighs all its turns")
    void loadedWeighsAll() {
      String previous = null;
      for (int i = 1; i <= 10; i++) {
        previous = delegate.turns.record(sized("resp_" + i, previous, 10_000)).responseId();
      }
      store.history(null, "resp_10");
      store.cleanUp();
      assertThat(store.weightedSize()).isGreaterThan(10 * 10_000L);
    }

    @Test
    @DisplayName("when the history a cached one was built on leaves, the one built on it leaves too, so no turn is held unweighed")
    void builtOnLeaves() {
      String previous = null;
      for (int i = 1; i <= 10; i++) {
        previous = store.record(sized("resp_" + i, previous, 10_000)).responseId();
      }
      store.cache().invalidate("resp_5");
      store.cleanUp();
      assertThat(store.cache().asMap().keySet()).containsExactlyInAnyOrder("resp_1", "resp_2", "resp_3", "resp_4");
      assertThat(store.history(null, "resp_10").orElseThrow().size()).isEqualTo(10);
      assertThat(delegate.histories).hasValue(1);
      store.cleanUp();
      assertThat(store.weightedSize()).as("4 turns, and 10 loaded").isGreaterThan(14 * 10_000L);
    }

    @Test
    @DisplayName("under pressure, the weight stays within the bound and every history read is whole")
    void pressure() {
      long bound = 512L << 10;
      store = CachedStateStore.builder(delegate).ticker(ticker).maximumWeight(bound).build();
      List<String> last = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        String previous = null;
        for (int i = 1; i <= 40; i++) {
          previous = store.record(sized("c" + c + "_" + i, previous, 4_000)).responseId();
          store.history(null, previous);
        }
        last.add(previous);
        store.cleanUp();
        assertThat(store.weightedSize()).isLessThanOrEqualTo(bound);
      }
      for (String id : last) {
        assertThat(store.history(null, id).orElseThrow().size()).isEqualTo(40);
      }
    }

    @Test
    @DisplayName("a history expires after expire_after_write, measured by the ticker")
    void expiresAfterWrite() {
      store = CachedStateStore.builder(delegate).ticker(ticker).expireAfterWrite(Duration.ofMinutes(1)).build();
      store.record(turn("resp_1", null, "a"));
      nanos.addAndGet(Duration.ofSeconds(59).toNanos());
      store.history(null, "resp_1");
      assertThat(delegate.histories).hasValue(0);
      nanos.addAndGet(Duration.ofSeconds(2).toNanos());
      store.history(null, "resp_1");
      assertThat(delegate.histories).hasValue(1);
    }

    @Test
    @DisplayName("with expire_after_access, reads keep a history, but never past expire_after_write")
    void expiresAfterAccess() {
      store = CachedStateStore.builder(delegate).ticker(ticker)
          .expireAfterWrite(Duration.ofMinutes(5)).expireAfterAccess(Duration.ofMinutes(2)).build();
      store.record(turn("resp_1", null, "a"));
      for (int i = 0; i < 4; i++) {
        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        store.history(null, "resp_1");
      }
      assertThat(delegate.histories).as("kept alive by reads for 4 minutes").hasValue(0);
      nanos.addAndGet(Duration.ofSeconds(61).toNanos());
      store.history(null, "resp_1");
      assertThat(delegate.histories).as("gone after 5 minutes since the write").hasValue(1);
    }
  }

  @Nested
  @DisplayName("statistics, configuration and lifecycle")
  class Statistics {

    @Test
    @DisplayName("hits, misses, loads and size are counted")
    void counted() {
      delegate.turns.record(turn("resp_1", null, "a"));
      store.history(null, "resp_1");
      store.history(null, "resp_1");
      store.history(null, "resp_1");
      store.history(null, "resp_missing");
      CacheStats stats = store.stats();
      assertThat(stats.hitCount()).isEqualTo(2);
      assertThat(stats.missCount()).isEqualTo(2);
      assertThat(stats.loadSuccessCount()).as("an absence is a successful load").isEqualTo(2);
      assertThat(stats.loadFailureCount()).isZero();
      assertThat(stats.totalLoadTime()).isPositive();
      store.cleanUp();
      assertThat(store.weightedSize()).isGreaterThan(store.turn(null, "resp_1").orElseThrow().jsonBytes());
    }

    @Test
    @DisplayName("configuration passes the delegate's options through and checks the cache's own")
    void configuration() {
      try (StateStore opened = StateStores.open(Map.of("type", "cached", "cache.delegate", "memory",
          "cache.maximum_weight", "1MiB", "cache.expire_after_write", "30s", "max_items_bytes", "1KiB"))) {
        assertThat(opened).isInstanceOf(CachedStateStore.class);
        assertThatThrownBy(() -> opened.record(sized("resp_big", null, 2_000))).hasMessageContaining("max_items_bytes");
        assertThat(opened.history(null, "resp_big")).isEmpty();
      }
      assertThatThrownBy(() -> StateStores.open(Map.of("type", "cached", "cache.delegate", "memory", "cache.maximum_wieght", "1MiB")))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("did you mean 'cache.maximum_weight'?");
      assertThatThrownBy(() -> StateStores.open(Map.of("type", "cached")))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("cache.delegate");
      assertThatThrownBy(() -> StateStores.open(Map.of("type", "cached", "cache.delegate", "cached")))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("cannot be 'cached'");
    }

    @Test
    @DisplayName("close closes the delegate; every call afterwards throws StoreClosedException")
    void close() {
      store.record(turn("resp_1", null, "a"));
      store.close();
      store.close();
      assertThatThrownBy(() -> store.history(null, "resp_1")).isInstanceOf(StoreClosedException.class);
      assertThatThrownBy(() -> store.record(turn("resp_2", "resp_1", "b"))).isInstanceOf(StoreClosedException.class);
      assertThatThrownBy(() -> store.delete(null, "resp_1")).isInstanceOf(StoreClosedException.class);
      assertThatThrownBy(() -> store.deleteInactiveBefore(Instant.now())).isInstanceOf(StoreClosedException.class);
      assertThatThrownBy(() -> delegate.turns.size()).isInstanceOf(StoreClosedException.class);
    }
  }
}
