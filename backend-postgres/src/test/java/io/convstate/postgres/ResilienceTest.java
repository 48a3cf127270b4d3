package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.convstate.ConversationState;
import io.convstate.InputItems;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The postgres store under failure and load")
class ResilienceTest {

  private static String table;

  @BeforeAll
  static void createTable() {
    table = TestDatabase.get().freshTable("resilience");
  }

  private static PostgresStateStore open(String... options) {
    return new PostgresStateStore(StoreConfig.of(TestDatabase.get().options(table, options)), Clock.systemUTC());
  }

  private static ConversationState state(String id) {
    return ConversationState.of(id, InputItems.parse("[{\"type\":\"message\",\"text\":\"" + id + "\"}]"), 1L, "m", "p");
  }

  @Nested
  @DisplayName("a server restart")
  class Restart {

    @Test
    @DisplayName("fails calls as unavailable while the server is down, then serves again without a new store, losing no acknowledged write")
    void recovers() throws Exception {
      Set<String> acknowledged = ConcurrentHashMap.newKeySet();
      List<Throwable> unexpected = new ArrayList<>();
      int unavailable = 0;
      try (PostgresStateStore store = open("pool.connection_timeout", "1s", "pool.max_size", "4")) {
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Future<Integer> writes = writer.submit(() -> {
          int failures = 0;
          for (int i = 0; running.get(); i++) {
            String id = "resp_restart_" + i;
            try {
              store.put(state(id));
              acknowledged.add(id);
            } catch (StorageUnavailableException e) {
              failures++;
            } catch (RuntimeException e) {
              synchronized (unexpected) {
                unexpected.add(e);
              }
            }
          }
          return failures;
        });
        Thread.sleep(500);
        TestDatabase.control("stop");
        Throwable whileDown = catchThrowable(() -> store.get("resp_restart_0"));
        Thread.sleep(1_500);
        TestDatabase.control("start");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean serving = false;
        while (!serving && System.nanoTime() < deadline) {
          try {
            store.put(state("resp_after_restart"));
            serving = true;
          } catch (StorageUnavailableException e) {
            Thread.sleep(200);
          }
        }
        Thread.sleep(500);
        running.set(false);
        unavailable = writes.get(30, TimeUnit.SECONDS);
        writer.shutdown();

        assertThat(whileDown).as("a call while the server is down").isInstanceOf(StorageUnavailableException.class)
            .hasMessageContaining("127.0.0.1");
        assertThat(serving).as("serving again after the restart").isTrue();
        assertThat(unavailable).as("writes refused as unavailable while down").isPositive();
        assertThat(unexpected).as("errors other than unavailable").isEmpty();
        for (String id : acknowledged) {
          assertThat(store.exists(id)).as("acknowledged write %s", id).isTrue();
        }
        assertThat(acknowledged).hasSizeGreaterThan(10);
      }
    }
  }

  @Nested
  @DisplayName("the pool")
  class Pool {

    @Test
    @DisplayName("close releases every server connection")
    void closeReleasesConnections() throws Exception {
      String application = "convstate_pool_" + System.nanoTime();
      PostgresStateStore store = open("connection_string", TestDatabase.get().url() + "?application_name=" + application,
          "pool.max_size", "5", "pool.min_idle", "5");
      store.put(state("resp_pool"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (connections(application) < 5 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(connections(application)).as("connections while open").isEqualTo(5);
      store.close();
      assertThat(connections(application)).as("connections after close").isZero();
    }

    @Test
    @DisplayName("32 threads upserting one id all succeed, and the row holds one of their states")
    void concurrentUpsertsOfOneId() throws Exception {
      try (PostgresStateStore store = open("pool.max_size", "16")) {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            for (int i = 0; i < 50; i++) {
              store.put(ConversationState.of("resp_hot", InputItems.parse("[{\"writer\":" + thread + "}]"), thread, "m" + thread, "p"));
            }
          }));
        }
        for (Future<?> future : futures) {
          future.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();
        ConversationState last = store.get("resp_hot").orElseThrow();
        assertThat(last.items().toJson()).isEqualTo("[{\"writer\": " + last.model().substring(1) + "}]");
      }
    }
  }

  @Nested
  @DisplayName("background cleanup")
  class BackgroundCleanup {

    @Test
    @DisplayName("with retention set, states not updated for that long are deleted on the interval")
    void deletesOldStates() throws Exception {
      io.convstate.conformance.TestClock clock = new io.convstate.conformance.TestClock();
      try (PostgresStateStore store = new PostgresStateStore(StoreConfig.of(TestDatabase.get().options(table,
          "retention", "7d", "cleanup.interval", "1s")), clock)) {
        store.put(state("resp_old_bg"));
        clock.advance(Duration.ofDays(8));
        store.put(state("resp_new_bg"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (store.exists("resp_old_bg") && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(store.exists("resp_old_bg")).isFalse();
        assertThat(store.exists("resp_new_bg")).isTrue();
      }
    }
  }

  private static int connections(String application) throws Exception {
    try (Connection connection = TestDatabase.get().admin(); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + application + "'")) {
      row.next();
      return row.getInt(1);
    }
  }
}
