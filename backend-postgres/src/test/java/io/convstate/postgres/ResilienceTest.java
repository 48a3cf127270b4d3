package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.convstate.InputItems;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

  /** A store on the server the test may stop: this class's table, or one made on the other server. */
  private static PostgresStateStore openStoppable() {
    String url = TestDatabase.stoppableUrl();
    if (url.equals(TestDatabase.get().url())) {
      return open("pool.connection_timeout", "1s", "pool.max_size", "4");
    }
    return new PostgresStateStore(StoreConfig.of(Map.of("connection_string", url, "table", "resilience_restart",
        "schema.create", "true", "pool.connection_timeout", "1s", "pool.max_size", "4")), Clock.systemUTC());
  }

  private static Turn turn(String id) {
    return Turn.builder(id).input(InputItems.parse("[{\"type\":\"message\",\"text\":\"" + id + "\"}]"))
        .model("m").provider("p").createdAt(1L).build();
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
      try (PostgresStateStore store = openStoppable()) {
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService writer = Executors.newSingleThreadExecutor();
        Future<Integer> writes = writer.submit(() -> {
          int failures = 0;
          for (int i = 0; running.get(); i++) {
            String id = "resp_restart_" + i;
            try {
              store.record(turn(id));
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
        Throwable whileDown = catchThrowable(() -> store.history(null, "resp_restart_0"));
        Thread.sleep(1_500);
        TestDatabase.control("start");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean serving = false;
        while (!serving && System.nanoTime() < deadline) {
          try {
            store.record(turn("resp_after_restart"));
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
          assertThat(store.turn(null, id)).as("acknowledged write %s", id).isPresent();
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
      store.record(turn("resp_pool"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (connections(application) < 5 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(connections(application)).as("connections while open").isEqualTo(5);
      store.close();
      // each server process leaves pg_stat_activity a moment after its client said goodbye
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (connections(application) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(connections(application)).as("connections 10 s after close").isZero();
    }

    @Test
    @DisplayName("32 threads on 16 connections extending one conversation at once all succeed, each turn with its whole history")
    void concurrentForksOfOneConversation() throws Exception {
      try (PostgresStateStore store = open("pool.max_size", "16")) {
        store.record(turn("resp_hot"));
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 32; t++) {
          int thread = t;
          futures.add(pool.submit(() -> {
            String previous = "resp_hot";
            for (int i = 0; i < 20; i++) {
              String id = "resp_hot_" + thread + "_" + i;
              store.record(turn(id).toBuilder().previousResponseId(previous).build());
              previous = id;
            }
          }));
        }
        for (Future<?> future : futures) {
          future.get(2, TimeUnit.MINUTES);
        }
        pool.shutdown();
        for (int t = 0; t < 32; t++) {
          assertThat(store.history(null, "resp_hot_" + t + "_19").orElseThrow().size()).isEqualTo(21);
        }
      }
    }
  }

  @Nested
  @DisplayName("background cleanup")
  class BackgroundCleanup {

    @ParameterizedTest(name = "layout {0}")
    @EnumSource(Layout.class)
    @DisplayName("with retention set, conversations inactive for that long are deleted on the interval")
    void deletesOldConversations(Layout layout) throws Exception {
      String table = TestDatabase.get().freshTable("resilience_cleanup", layout);
      io.convstate.conformance.TestClock clock = new io.convstate.conformance.TestClock();
      try (PostgresStateStore store = new PostgresStateStore(StoreConfig.of(TestDatabase.get().options(table,
          "layout", layout.optionValue(), "retention", "7d", "cleanup.interval", "1s")), clock)) {
        store.record(turn("resp_old_bg"));
        clock.advance(Duration.ofDays(8));
        store.record(turn("resp_new_bg"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (store.turn(null, "resp_old_bg").isPresent() && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(store.turn(null, "resp_old_bg")).isEmpty();
        assertThat(store.turn(null, "resp_new_bg")).isPresent();
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
