package io.convstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.convstate.InputItems;
import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The ACL user of scripts/with-redis, whose password has '#', ':' and '@' in it. */
@DisplayName("Credentials: an ACL user and password, from the string or from $VAR, never printed")
class RedisCredentialsTest {

  private final String prefix = TestRedis.uniquePrefix("credentials");
  private final RedisConnectionString acl = RedisConnectionString.parse(TestRedis.aclUrl(), null, null);

  @AfterEach
  void deleteKeys() {
    TestRedis.deleteKeys(TestRedis.standaloneUrl(), prefix);
  }

  @Test
  @DisplayName("the ACL user with its percent-encoded password in connection_string records and reads")
  void aclUserFromString() {
    try (StateStore store = StateStores.open(TestRedis.options(TestRedis.aclUrl(), prefix))) {
      store.record(turn("resp_acl"));
      assertThat(store.turn(null, "resp_acl")).isPresent();
      assertThat(whoAmI(store)).isEqualTo("convstate");
    }
  }

  @Test
  @DisplayName("options user and password, the password as an unencoded $VAR, override the string")
  void passwordFromVariable() {
    Map<String, String> options = TestRedis.options(TestRedis.standaloneUrl(), prefix,
        "user", "convstate", "password", "$CONVSTATE_TEST_REDIS_PASSWORD");
    StoreConfig config = StoreConfig.of(options, Map.of("CONVSTATE_TEST_REDIS_PASSWORD", acl.password()));
    try (StateStore store = StateStores.open(config)) {
      store.record(turn("resp_var"));
      assertThat(store.turn(null, "resp_var")).isPresent();
      assertThat(whoAmI(store)).isEqualTo("convstate");
    }
    assertThat(config.toString()).doesNotContain(acl.password());
  }

  @Test
  @DisplayName("a wrong password fails as unavailable naming the server and the options to check; no message, toString or log line down to DEBUG holds a password, through reconnects too")
  void passwordsNeverPrinted() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    PrintStream originalOut = System.out;
    PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
    String wrong = TestRedis.aclUrl().replace("s3cret", "wr0ng");
    Throwable refused;
    String described;
    System.setErr(tee);
    System.setOut(tee);
    try {
      refused = catchThrowable(() -> StateStores.open(TestRedis.options(wrong, prefix, "connect_timeout", "1s")));
      try (StateStore store = StateStores.open(TestRedis.options(TestRedis.aclUrl(), prefix))) {
        described = store.toString();
        store.record(turn("resp_before"));
        killClientsOf("convstate");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
          try {
            store.record(turn("resp_after"));
            break;
          } catch (StorageUnavailableException e) {
            assertThat(e.getMessage()).doesNotContain(acl.password());
            assertThat(System.nanoTime()).isLessThan(deadline);
            Thread.sleep(50);
          }
        }
      }
    } finally {
      System.setErr(originalErr);
      System.setOut(originalOut);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    originalErr.print(output); // to target/surefire-reports (redirectTestOutputToFile)
    assertThat(refused).isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("127.0.0.1").hasMessageContaining("user 'convstate'");
    for (String text : List.of(String.valueOf(refused), stackTrace(refused), described, output,
        RedisConnectionString.parse(TestRedis.aclUrl(), null, null).toString())) {
      for (String secret : List.of(acl.password(), "s3cret%23pa%3Ass%40word", "wr0ng")) {
        assertThat(text).as("printed text").doesNotContain(secret);
      }
    }
    assertThat(output).as("log lines of the reconnect").contains("Reconnect");
  }

  private static String whoAmI(StateStore store) {
    RedisClient client = RedisClient.create(TestRedis.standaloneUrl());
    try (StatefulRedisConnection<String, String> admin = client.connect()) {
      for (String line : admin.sync().clientList().split("\n")) {
        if (line.contains("name=convstate")) {
          return line.replaceAll(".* user=([^ ]+).*", "$1").strip();
        }
      }
      return "none named convstate";
    } finally {
      client.shutdown();
    }
  }

  private static void killClientsOf(String user) {
    RedisClient client = RedisClient.create(TestRedis.standaloneUrl());
    try (StatefulRedisConnection<String, String> admin = client.connect()) {
      admin.sync().dispatch(io.lettuce.core.protocol.CommandType.CLIENT,
          new io.lettuce.core.output.IntegerOutput<>(io.lettuce.core.codec.StringCodec.UTF8),
          new io.lettuce.core.protocol.CommandArgs<>(io.lettuce.core.codec.StringCodec.UTF8).add("KILL").add("USER").add(user));
    } finally {
      client.shutdown();
    }
  }

  private static String stackTrace(Throwable thrown) {
    java.io.StringWriter text = new java.io.StringWriter();
    thrown.printStackTrace(new java.io.PrintWriter(text));
    return text.toString();
  }

  private static Turn turn(String id) {
    return Turn.builder(id).model("m").provider("p").createdAt(1)
        .input(InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":\"hi\"}]")).build();
  }
}
