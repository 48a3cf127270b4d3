package io.convstate.cli;

import static io.convstate.cli.CliTest.run;
import static io.convstate.cli.CliTest.turn;
import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.StoreConfig;
import io.convstate.cli.CliTest.Run;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.CommandType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** {@code stats} and {@code verify} on the servers of {@code scripts/with-redis}. */
@DisplayName("stats and verify on Redis")
class RedisCommandsTest {

  private static final Pattern CONFIG_SET_FIX = Pattern.compile("redis-cli -h \\S+ -p \\d+ CONFIG SET (\\S+) (\\S+),");

  private static String standalone;
  private static String cluster;
  private static RedisClient adminClient;
  private static StatefulRedisConnection<String, String> adminConnection;
  private static RedisCommands<String, String> admin;

  private final String prefix = "cli" + System.nanoTime();

  @BeforeAll
  static void servers() {
    standalone = required("TEST_REDIS_URL");
    cluster = required("TEST_REDIS_CLUSTER_URL");
    adminClient = RedisClient.create(standalone);
    adminConnection = adminClient.connect();
    admin = adminConnection.sync();
  }

  @AfterAll
  static void closeAdmin() {
    adminConnection.close();
    adminClient.shutdown();
  }

  private static String required(String variable) {
    String value = System.getenv(variable);
    assertThat(value).as(variable + " is not set: run the tests with scripts/test (or inside scripts/with-redis)")
        .isNotBlank();
    return value;
  }

  private Map<String, String> at(String url, String... more) {
    Map<String, String> environment = new HashMap<>(Map.of("CONVSTATE_CONNECTION_STRING", url, "CONVSTATE_PREFIX", prefix));
    for (int i = 0; i < more.length; i += 2) {
      environment.put(more[i], more[i + 1]);
    }
    return environment;
  }

  /** Runs TEST_REDIS_CONTROL (scripts/with-redis): kill PORT, start PORT. */
  private static void control(String... arguments) throws Exception {
    List<String> line = new ArrayList<>(List.of(required("TEST_REDIS_CONTROL")));
    line.addAll(List.of(arguments));
    Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0).as(line + ": " + output).isTrue();
  }

  /** Runs the {@code CONFIG SET} of a fix as printed, on the standalone server. */
  private static void runFix(String output) {
    Matcher fix = CONFIG_SET_FIX.matcher(output);
    assertThat(fix.find()).as("a CONFIG SET fix in: " + output).isTrue();
    admin.configSet(fix.group(1), fix.group(2));
  }

  @Nested
  @DisplayName("stats")
  class Stats {

    @Test
    @DisplayName("counts the prefix's conversations with their oldest and newest activity, and prints the server's role, memory, policy, AOF and keys")
    void standaloneServer() {
      try (StateStore store = StateStores.open(StoreConfig.of(Map.of("connection_string", standalone, "prefix", prefix)))) {
        store.record(turn("resp_a1", null, "o", "one"));
        store.record(turn("resp_a2", "resp_a1", "o", "two"));
        store.record(turn("resp_b1", null, "o", "three"));
      }
      Run run = run(at(standalone), "stats");
      assertThat(run.exit()).as(run.all()).isZero();
      assertThat(run.out())
          .contains("Redis server at redis://127.0.0.1:", "prefix '" + prefix + "'")
          .contains("conversations:  2")
          .containsPattern("oldest: +\\d{4}-\\d\\d-\\d\\dT")
          .containsPattern("127\\.0\\.0\\.1:\\d+ +master +memory \\S+ of no limit, policy noeviction, aof on, \\d+ keys");
    }

    @Test
    @DisplayName("lists every master and replica of a cluster, and an empty prefix has no activity")
    void clusterNodes() {
      Run run = run(at(cluster), "stats");
      assertThat(run.exit()).as(run.all()).isZero();
      assertThat(run.out()).contains("Redis Cluster at", "conversations:  0 (no store under this prefix yet",
          "oldest:         - (last activity)");
      assertThat(Pattern.compile(" master ").matcher(run.out()).results().count()).isEqualTo(3);
      assertThat(Pattern.compile(" slave ").matcher(run.out()).results().count()).isEqualTo(3);
    }

    @Test
    @DisplayName("writes nothing: a prefix that holds no store stays without one")
    void writesNothing() {
      Run run = run(at(standalone), "stats");
      assertThat(run.exit()).as(run.all()).isZero();
      assertThat(run(at(standalone), "verify").out()).contains("(no store under this prefix yet");
      assertThat(admin.keys(prefix + ":*")).isEmpty();
    }

    @Test
    @DisplayName("works on the redis delegate of a cached configuration given by variables")
    void cachedDelegate() {
      Run run = run(at(standalone, "CONVSTATE_TYPE", "cached", "CONVSTATE_CACHE_DELEGATE", "redis",
          "CONVSTATE_CACHE_MAXIMUM_WEIGHT", "1MiB", "CONVSTATE_COMMAND_TIMEOUT", "5s"), "stats");
      assertThat(run.exit()).as(run.all()).isZero();
      assertThat(run.out()).contains("Redis server at");
    }
  }

  @Nested
  @DisplayName("verify")
  class Verify {

    @Test
    @DisplayName("passes on a server with noeviction and AOF")
    void healthyServer() {
      Run run = run(at(standalone), "verify");
      assertThat(run.exit()).as(run.all()).isZero();
      assertThat(run.out()).contains("OK: eviction policy, persistence, replicas, cluster state");
    }

    @Test
    @DisplayName("an eviction policy fails with its fix, and running the fix makes verify pass")
    void evictionPolicy() {
      admin.configSet("maxmemory-policy", "allkeys-lru");
      try {
        Run failed = run(at(standalone), "verify");
        assertThat(failed.exit()).as(failed.all()).isEqualTo(Main.CHECK_FAILED);
        assertThat(failed.out()).contains("has maxmemory-policy allkeys-lru: when full it may evict", "1 problem found.");
        runFix(failed.out());
        Run fixed = run(at(standalone), "verify");
        assertThat(fixed.exit()).as(fixed.all()).isZero();
      } finally {
        admin.configSet("maxmemory-policy", "noeviction");
      }
    }

    @Test
    @DisplayName("AOF off fails with its fix, and running the fix makes verify pass")
    void appendOnlyOff() {
      admin.configSet("appendonly", "no");
      try {
        Run failed = run(at(standalone), "verify");
        assertThat(failed.exit()).as(failed.all()).isEqualTo(Main.CHECK_FAILED);
        assertThat(failed.out()).contains("(master) has AOF off: a restart loses every turn");
        runFix(failed.out());
        Run fixed = run(at(standalone), "verify");
        assertThat(fixed.exit()).as(fixed.all()).isZero();
      } finally {
        admin.configSet("appendonly", "yes");
      }
    }

    @Test
    @DisplayName("with wait_replicas, a master with too few replicas fails, naming both numbers")
    void tooFewReplicas() {
      Run run = run(at(standalone, "CONVSTATE_WAIT_REPLICAS", "1"), "verify");
      assertThat(run.exit()).as(run.all()).isEqualTo(Main.CHECK_FAILED);
      assertThat(run.out()).contains("has 0 connected replicas and wait_replicas is 1: every write to it fails",
          "fix: attach replicas to it, or lower wait_replicas");
    }

    @Test
    @DisplayName("on the tests' cluster (AOF off): one finding per master, and per replica too with wait_replicas")
    void clusterWithoutAof() {
      Run masters = run(at(cluster), "verify");
      assertThat(masters.exit()).as(masters.all()).isEqualTo(Main.CHECK_FAILED);
      assertThat(masters.out()).contains("3 problems found.");
      assertThat(Pattern.compile("\\(master\\) has AOF off").matcher(masters.out()).results().count()).isEqualTo(3);
      Run all = run(at(cluster, "CONVSTATE_WAIT_REPLICAS", "1"), "verify");
      assertThat(all.out()).contains("6 problems found.");
      assertThat(Pattern.compile("\\(slave\\) has AOF off").matcher(all.out()).results().count()).isEqualTo(3);
    }

    @Test
    @DisplayName("a cluster node that is down is a finding, and the other servers are still checked")
    void nodeDown() throws Exception {
      Matcher replica = Pattern.compile("127\\.0\\.0\\.1:(\\d+) +slave").matcher(run(at(cluster), "stats").out());
      assertThat(replica.find()).as("a replica in the cluster's stats").isTrue();
      String port = replica.group(1);
      control("kill", port);
      try {
        Run run = run(at(cluster), "verify");
        assertThat(run.exit()).as(run.all()).isEqualTo(Main.CHECK_FAILED);
        assertThat(run.out()).contains("FAIL Redis at 127.0.0.1:" + port + " did not answer INFO", "4 problems found.");
        assertThat(Pattern.compile("\\(master\\) has AOF off").matcher(run.out()).results().count()).isEqualTo(3);
      } finally {
        control("start", port);
      }
    }

    @Test
    @DisplayName("a user who may not read the activity indexes, or run scripts, fails with the ACL hint, never printing the password")
    void missingPermission() {
      assertMissingPermission(CommandType.ZRANGEBYSCORE, "'zrangebyscore'");
      assertMissingPermission(CommandType.EVAL, "'eval'");
    }

    private void assertMissingPermission(CommandType denied, String named) {
      admin.aclSetuser("cli_limited", AclSetuserArgs.Builder.reset().on().addPassword("L1mited-pw").allKeys().allChannels()
          .allCommands().removeCommand(denied));
      try {
        Run run = run(at(standalone.replace("redis://", "redis://cli_limited:L1mited-pw@")), "verify");
        assertThat(run.exit()).as(run.all()).isEqualTo(Main.CHECK_FAILED);
        assertThat(run.out()).contains("FAIL Reading the store's keys or running a script failed", "NOPERM", named,
            "fix: give the user reading, writing and scripting on ~" + prefix + ":*");
        assertThat(run.all()).doesNotContain("L1mited-pw");
      } finally {
        admin.aclDeluser("cli_limited");
      }
    }
  }
}
