package io.convstate.cached;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.convstate.ConfigurationException;
import io.convstate.ConversationState;
import io.convstate.InputItems;
import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.StorageUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The cached store")
class CachedStateStoreTest {

  private final ScriptedStore delegate = new ScriptedStore();
  private final AtomicLong nanos = new AtomicLong();
  private final Ticker ticker = nanos::get;
  private CachedStateStore store = CachedStateStore.builder(delegate).ticker(ticker).build();

  @AfterEach
  void close() {
    store.close();
  }

  private static ConversationState state(String id, String text) {
    return ConversationState.of(id, InputItems.parse("[{\"type\":\"message\",\"text\":\"" + text + "\"}]"), 1L, "m", "p");
  }

  private static ConversationState sized(String id, int bytes) {
    return ConversationState.of(id, InputItems.parse("[{\"t\":\"" + "x".repeat(bytes - 10) + "\"}]"), 1L, "m", "p");
  }

  private static String text(Optional<ConversationState> state) {
    return state.orElseThrow().items().toJson();
  }

  @Nested
  @DisplayName("reads")
  class Reads {

    @Test
    @DisplayName("a hit does not reach the delegate")
    void hits() {
      store.put(state("resp_1", "a"));
      for (int i = 0; i < 10; i++) {
        assertThat(text(store.get("resp_1"))).contains("\"a\"");
      }
      assertThat(delegate.gets).hasValue(0);
      assertThat(store.exists("resp_1")).isTrue();
      assertThat(delegate.exists).hasValue(0);
    }

    @Test
    @DisplayName("a miss loads from the delegate once and is then a hit")
    void missThenHit() {
      delegate.states.put(state("resp_1", "a"));
      store.get("resp_1");
      store.get("resp_1");
      assertThat(delegate.gets).hasValue(1);
    }

    @Test
    @DisplayName("16 threads missing one id at once cause one delegate read, and all get its result")
    void singleFlight() throws Exception {
      delegate.states.put(state("resp_1", "a"));
      delegate.readDone = new CountDownLatch(1);
      delegate.release = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(16);
      List<Future<Optional<ConversationState>>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(pool.submit(() -> store.get("resp_1")));
      }
      assertThat(delegate.readDone.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200); // the other 15 are now waiting on the load in flight
      delegate.release.countDown();
      for (Future<Optional<ConversationState>> result : results) {
        assertThat(text(result.get(10, TimeUnit.SECONDS))).contains("\"a\"");
      }
      pool.shutdown();
      assertThat(delegate.gets).hasValue(1);
    }

    @Test
    @DisplayName("a failed load reaches every waiting caller as the same exception and leaves nothing cached")
    void failedLoad() throws Exception {
      delegate.states.put(state("resp_1", "a"));
      delegate.failGets = true;
      delegate.readDone = new CountDownLatch(1);
      delegate.release = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<Optional<ConversationState>>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> store.get("resp_1")));
      }
      assertThat(delegate.readDone.await(10, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(200);
      delegate.release.countDown();
      List<Throwable> failures = new ArrayList<>();
      for (Future<Optional<ConversationState>> result : results) {
        failures.add(org.assertj.core.api.Assertions.catchThrowable(() -> result.get(10, TimeUnit.SECONDS)).getCause());
      }
      pool.shutdown();
      assertThat(failures).allSatisfy(e -> assertThat(e).isSameAs(failures.get(0)).isInstanceOf(StorageUnavailableException.class));
      assertThat(delegate.gets).hasValue(1);

      delegate.failGets = false;
      delegate.readDone = null;
      assertThat(text(store.get("resp_1"))).as("nothing was cached by the failure").contains("\"a\"");
      assertThat(delegate.gets).hasValue(2);
    }

    @Test
    @DisplayName("absence is not cached by default: a state written elsewhere is visible at once")
    void absenceNotCached() {
      assertThat(store.get("resp_1")).isEmpty();
      delegate.states.put(state("resp_1", "elsewhere"));
      assertThat(text(store.get("resp_1"))).contains("elsewhere");
    }

    @Test
    @DisplayName("with a negative TTL, absence is remembered for that long")
    void negativeTtl() {
      store = CachedStateStore.builder(delegate).ticker(ticker).negativeTtl(Duration.ofSeconds(5)).build();
      assertThat(store.get("resp_1")).isEmpty();
      delegate.states.put(state("resp_1", "elsewhere"));
      assertThat(store.get("resp_1")).isEmpty();
      assertThat(store.exists("resp_1")).isFalse();
      nanos.addAndGet(Duration.ofSeconds(6).toNanos());
      assertThat(text(store.get("resp_1"))).contains("elsewhere");
    }
  }

  @Nested
  @DisplayName("writes")
  class Writes {

    @Test
    @DisplayName("a failed write leaves the cache as it was and throws the delegate's exception")
    void failedWrite() {
      store.put(state("resp_1", "old"));
      delegate.failPuts = true;
      assertThatThrownBy(() -> store.put(state("resp_1", "new"))).isInstanceOf(StorageUnavailableException.class);
      assertThatThrownBy(() -> store.put(state("resp_2", "new"))).isInstanceOf(StorageUnavailableException.class);
      assertThat(text(store.get("resp_1"))).contains("old");
      assertThat(store.get("resp_2")).isEmpty();
    }

    @Test
    @DisplayName("a write returns and caches what the delegate stored, created_at kept")
    void cachesStored() {
      store.put(ConversationState.of("resp_1", InputItems.empty(), 100L, "m", "p"));
      ConversationState returned = store.put(ConversationState.of("resp_1", InputItems.empty(), 200L, "m", "p"));
      assertThat(returned.createdAt()).isEqualTo(100L);
      assertThat(store.get("resp_1").orElseThrow().createdAt()).isEqualTo(100L);
      assertThat(delegate.gets).hasValue(0);
    }

    @Test
    @DisplayName("delete, append and cleanup drop the entries they affect")
    void dropsAffected() {
      store.put(state("resp_1", "a"));
      store.put(state("resp_2", "b"));
      store.append("resp_1", "resp_2", InputItems.parse("[{\"t\":\"c\"}]"), "m", "p");
      assertThat(store.get("resp_2").orElseThrow().items().size()).isEqualTo(2);
      assertThat(store.delete("resp_1")).isTrue();
      assertThat(store.get("resp_1")).isEmpty();
      assertThat(store.deleteUpdatedBefore(Instant.now().plusSeconds(60))).isEqualTo(1);
      assertThat(store.get("resp_2")).isEmpty();
    }
  }

  @Nested
  @DisplayName("the stale-repopulation race")
  class Races {

    @Test
    @DisplayName("a read that loaded the old state before a write completes does not put it back after")
    void readRacingWrite() throws Exception {
      delegate.states.put(state("resp_1", "old"));
      Future<Optional<ConversationState>> reader = raceRead();
      store.put(state("resp_1", "new"));
      delegate.release.countDown();
      assertThat(text(reader.get(10, TimeUnit.SECONDS))).contains("old"); // it began before the write
      assertThat(text(store.get("resp_1"))).contains("new");
      assertThat(text(store.get("resp_1"))).contains("new");
    }

    @Test
    @DisplayName("a read that loaded a state before a delete completes does not put it back after")
    void readRacingDelete() throws Exception {
      delegate.states.put(state("resp_1", "old"));
      Future<Optional<ConversationState>> reader = raceRead();
      store.delete("resp_1");
      delegate.release.countDown();
      reader.get(10, TimeUnit.SECONDS);
      assertThat(store.get("resp_1")).isEmpty();
    }

    @Test
    @DisplayName("a read that loaded a state before a cleanup deleted it does not put it back after")
    void readRacingCleanup() throws Exception {
      delegate.states.put(state("resp_1", "old"));
      Future<Optional<ConversationState>> reader = raceRead();
      assertThat(store.deleteUpdatedBefore(Instant.now().plusSeconds(60))).isEqualTo(1);
      delegate.release.countDown();
      reader.get(10, TimeUnit.SECONDS);
      assertThat(store.get("resp_1")).isEmpty();
    }

    @Test
    @DisplayName("2,000 rounds of racing reads, writes and deletes leave the cache agreeing with the delegate")
    void stress() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      for (int round = 0; round < 2_000; round++) {
        String id = "resp_" + (round % 7);
        int r = round;
        List<Future<?>> tasks = List.of(
            pool.submit(() -> store.get(id)),
            pool.submit(() -> store.put(state(id, "v" + r))),
            pool.submit(() -> r % 3 == 0 ? store.delete(id) : store.get(id)),
            pool.submit(() -> store.get(id)));
        for (Future<?> task : tasks) {
          task.get(10, TimeUnit.SECONDS);
        }
        assertThat(store.get(id).map(s -> s.items().toJson()))
            .as("round %d", round).isEqualTo(delegate.states.get(id).map(s -> s.items().toJson()));
      }
      pool.shutdown();
    }

    private Future<Optional<ConversationState>> raceRead() throws InterruptedException {
      delegate.readDone = new CountDownLatch(1);
      delegate.release = new CountDownLatch(1);
      ExecutorService pool = Executors.newSingleThreadExecutor();
      Future<Optional<ConversationState>> reader = pool.submit(() -> store.get("resp_1"));
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
    @DisplayName("the weight bound holds in bytes with mixed small and huge states")
    void weightBound() {
      store = CachedStateStore.builder(delegate).ticker(ticker).maximumWeight(4L << 20).build();
      for (int i = 0; i < 200; i++) {
        store.put(i % 20 == 0 ? sized("resp_" + i, 1 << 20) : sized("resp_" + i, 500));
        store.cache().cleanUp();
        assertThat(store.weightedSize()).as("after %d writes", i + 1).isLessThanOrEqualTo(4L << 20);
      }
      assertThat(store.stats().evictionCount()).isPositive();
      assertThat(store.cache().estimatedSize()).isLessThan(200);
    }

    @Test
    @DisplayName("a state expires after expire_after_write, measured by the ticker")
    void expiresAfterWrite() {
      store = CachedStateStore.builder(delegate).ticker(ticker).expireAfterWrite(Duration.ofMinutes(1)).build();
      store.put(state("resp_1", "a"));
      nanos.addAndGet(Duration.ofSeconds(59).toNanos());
      store.get("resp_1");
      assertThat(delegate.gets).hasValue(0);
      nanos.addAndGet(Duration.ofSeconds(2).toNanos());
      store.get("resp_1");
      assertThat(delegate.gets).hasValue(1);
    }

    @Test
    @DisplayName("with expire_after_access, reads keep a state, but never past expire_after_write")
    void expiresAfterAccess() {
      store = CachedStateStore.builder(delegate).ticker(ticker)
          .expireAfterWrite(Duration.ofMinutes(5)).expireAfterAccess(Duration.ofMinutes(2)).build();
      store.put(state("resp_1", "a"));
      for (int i = 0; i < 4; i++) {
        nanos.addAndGet(Duration.ofSeconds(61).toNanos());
        store.get("resp_1");
      }
      assertThat(delegate.gets).as("kept alive by reads for 4 minutes").hasValue(0);
      nanos.addAndGet(Duration.ofSeconds(61).toNanos());
      store.get("resp_1");
      assertThat(delegate.gets).as("gone after 5 minutes since the write").hasValue(1);
    }
  }

  @Nested
  @DisplayName("statistics and configuration")
  class Statistics {

    @Test
    @DisplayName("hits, misses, loads and size are counted")
    void counted() {
      delegate.states.put(state("resp_1", "a"));
      store.get("resp_1");
      store.get("resp_1");
      store.get("resp_1");
      store.get("resp_missing");
      CacheStats stats = store.stats();
      assertThat(stats.hitCount()).isEqualTo(2);
      assertThat(stats.missCount()).isEqualTo(2);
      assertThat(stats.loadSuccessCount()).isEqualTo(1);
      assertThat(stats.totalLoadTime()).isPositive();
      store.cache().cleanUp();
      assertThat(store.weightedSize()).isGreaterThan(store.get("resp_1").orElseThrow().items().jsonBytes());
    }

    @Test
    @DisplayName("configuration passes the delegate's options through and checks the cache's own")
    void configuration() {
      try (StateStore opened = StateStores.open(Map.of("type", "cached", "cache.delegate", "memory",
          "cache.maximum_weight", "1MiB", "cache.expire_after_write", "30s", "max_items_bytes", "1KiB"))) {
        assertThat(opened).isInstanceOf(CachedStateStore.class);
        assertThatThrownBy(() -> opened.put(sized("resp_big", 2_000))).hasMessageContaining("max_items_bytes");
      }
      assertThatThrownBy(() -> StateStores.open(Map.of("type", "cached", "cache.delegate", "memory", "cache.maximum_wieght", "1MiB")))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("did you mean 'cache.maximum_weight'?");
      assertThatThrownBy(() -> StateStores.open(Map.of("type", "cached")))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("cache.delegate");
      assertThatThrownBy(() -> StateStores.open(Map.of("type", "cached", "cache.delegate", "cached")))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("cannot be 'cached'");
    }
  }
}
