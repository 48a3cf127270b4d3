package io.convstate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.InputItems;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Counts the commands the store sends for each operation, with Redis's MONITOR. */
@DisplayName("Round trips per operation do not grow with the conversation")
class RedisRoundTripsTest {

  private static final String PREFIX = TestRedis.uniquePrefix("roundtrips");
  private static Monitor monitor;
  private static RedisStateStore store;

  @BeforeAll
  static void open() throws Exception {
    store = new RedisStateStore(StoreConfig.of(TestRedis.options(TestRedis.standaloneUrl(), PREFIX)), Clock.systemUTC());
    monitor = new Monitor("127.0.0.1", TestRedis.port(TestRedis.standaloneUrl()));
  }

  @AfterAll
  static void close() throws Exception {
    monitor.close();
    store.close();
    TestRedis.deleteKeys(TestRedis.standaloneUrl(), PREFIX);
  }

  @Test
  @DisplayName("loading the history of the 200th turn is one claim lookup and one script; so is reading the turn alone")
  void historyIsOneScript() throws Exception {
    chain("resp_h", 200);
    monitor.reset();
    assertThat(store.history(null, "resp_h_199").orElseThrow().size()).isEqualTo(200);
    assertThat(monitor.commandsUntilMarker()).containsExactly("get", "evalsha");
    assertThat(store.turn(null, "resp_h_199")).isPresent();
    assertThat(monitor.commandsUntilMarker()).containsExactly("get", "evalsha");
  }

  @Test
  @DisplayName("recording a first turn is one script; the 200th turn, as the 2nd, a claim lookup and two scripts")
  void recordingIsFlat() throws Exception {
    monitor.reset();
    store.record(turn("resp_r_0", null));
    assertThat(monitor.commandsUntilMarker()).containsExactly("evalsha");
    store.record(turn("resp_r_1", "resp_r_0"));
    assertThat(monitor.commandsUntilMarker()).containsExactly("get", "evalsha", "evalsha");
    chain("resp_long", 199);
    monitor.reset();
    store.record(turn("resp_long_199", "resp_long_198"));
    assertThat(monitor.commandsUntilMarker()).containsExactly("get", "evalsha", "evalsha");
  }

  private static void chain(String prefix, int turns) {
    for (int i = 0; i < turns; i++) {
      store.record(turn(prefix + "_" + i, i == 0 ? null : prefix + "_" + (i - 1)));
    }
  }

  private static Turn turn(String id, String previous) {
    return Turn.builder(id).previousResponseId(previous).model("m").provider("p").createdAt(1)
        .input(InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":\"" + id + "\"}]")).build();
  }
}
