package io.convstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.convstate.InputItems;
import io.convstate.StateStore;
import io.convstate.StorageException;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import java.time.Clock;
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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A restart of the standalone Redis server")
class RedisRestartTest {

  @Test
  @DisplayName("fails calls at once as unavailable while the server is down, then serves again without a new store, losing no acknowledged turn")
  void recovers() throws Exception {
    String prefix = TestRedis.uniquePrefix("restart");
    Map<String, String> options = TestRedis.options(TestRedis.standaloneUrl(), prefix, "command_timeout", "2s",
        "connect_timeout", "500ms");
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    List<Throwable> unexpected = new ArrayList<>();
    try (StateStore store = new RedisStateStore(StoreConfig.of(options), Clock.systemUTC())) {
      store.record(turn("resp_restart_first", null));
      AtomicBoolean running = new AtomicBoolean(true);
      ExecutorService writer = Executors.newSingleThreadExecutor();
      Future<Integer> failures = writer.submit(() -> {
        int failed = 0;
        String previous = "resp_restart_first";
        for (int i = 0; running.get() && i < 1_000_000; i++) {
          String id = "resp_restart_" + i;
          try {
            store.record(turn(id, previous));
            acknowledged.add(id);
            previous = id;
          } catch (StorageUnavailableException e) {
            failed++;
            Thread.sleep(20);
          } catch (RuntimeException e) {
            synchronized (unexpected) {
              unexpected.add(e);
            }
          }
        }
        return failed;
      });
      Thread.sleep(500);
      TestRedis.control("stop");
      long down = System.nanoTime();
      Throwable whileDown = catchThrowable(() -> store.history(null, "resp_restart_first"));
      long failedAfter = System.nanoTime() - down;
      Thread.sleep(1_000);
      TestRedis.control("start");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (true) {
        try {
          store.history(null, "resp_restart_first");
          break;
        } catch (StorageException e) {
          assertThat(System.nanoTime()).as("recovered within 30 s").isLessThan(deadline);
          Thread.sleep(50);
        }
      }
      int countBefore = acknowledged.size();
      Thread.sleep(500);
      running.set(false);
      int failed = failures.get(30, TimeUnit.SECONDS);
      writer.shutdown();

      assertThat(whileDown).isInstanceOf(StorageUnavailableException.class).hasMessageContaining("127.0.0.1");
      assertThat(failedAfter).as("nanoseconds to fail a call while the server is down").isLessThan(TimeUnit.SECONDS.toNanos(3));
      assertThat(failed).as("writes that failed as unavailable").isPositive();
      assertThat(acknowledged.size()).as("writes after the restart").isGreaterThan(countBefore);
      assertThat(unexpected).isEmpty();
      String last = null;
      for (String id : acknowledged) {
        assertThat(store.turn(null, id)).as("acknowledged %s", id).isPresent();
        last = last == null || Integer.parseInt(id.substring(13)) > Integer.parseInt(last.substring(13)) ? id : last;
      }
      assertThat(store.history(null, last).orElseThrow().responseIds()).startsWith("resp_restart_first");
    } finally {
      TestRedis.deleteKeys(TestRedis.standaloneUrl(), prefix);
    }
  }

  private static Turn turn(String id, String previous) {
    return Turn.builder(id).previousResponseId(previous).model("m").provider("p").createdAt(1)
        .input(InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":\"" + id + "\"}]")).build();
  }
}
