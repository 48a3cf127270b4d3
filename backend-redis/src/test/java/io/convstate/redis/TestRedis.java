package io.convstate.redis;

import static org.assertj.core.api.Assertions.fail;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Redis servers the tests use, from scripts/with-redis: {@code TEST_REDIS_URL} (standalone),
 * {@code TEST_REDIS_CLUSTER_URL} (3 masters + 3 replicas), {@code TEST_REDIS_ACL_URL} and
 * {@code TEST_REDIS_CONTROL}. A test that needs one that is not set fails, saying how to get it:
 * none is skipped.
 */
final class TestRedis {

  private static final AtomicInteger PREFIXES = new AtomicInteger();

  private TestRedis() {}

  static String standaloneUrl() {
    return required("TEST_REDIS_URL");
  }

  static String clusterUrl() {
    return required("TEST_REDIS_CLUSTER_URL");
  }

  static String aclUrl() {
    return required("TEST_REDIS_ACL_URL");
  }

  /** A key prefix no other test uses. */
  static String uniquePrefix(String name) {
    return "t" + ProcessHandle.current().pid() + "-" + name + "-" + PREFIXES.incrementAndGet();
  }

  /** Store options on a server: connection_string and prefix, then more key, value pairs. */
  static Map<String, String> options(String url, String prefix, String... more) {
    Map<String, String> options = new HashMap<>(Map.of("type", "redis", "connection_string", url, "prefix", prefix));
    for (int i = 0; i < more.length; i += 2) {
      options.put(more[i], more[i + 1]);
    }
    return options;
  }

  /** Deletes every key under a prefix, on every master of a cluster. */
  static void deleteKeys(String url, String prefix) {
    String pattern = prefix + ":*";
    if (url.contains(",")) {
      RedisClusterClient client = RedisClusterClient.create(seeds(url));
      try (StatefulRedisClusterConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
        for (RedisClusterNode node : connection.getPartitions()) {
          if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
            deleteKeys(connection.getConnection(node.getNodeId()).sync(), pattern);
          }
        }
      } finally {
        client.shutdown();
      }
    } else {
      RedisClient client = RedisClient.create(RedisURI.create(url));
      try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
        deleteKeys(connection.sync(), pattern);
      } finally {
        client.shutdown();
      }
    }
  }

  private static void deleteKeys(RedisCommands<byte[], byte[]> commands, String pattern) {
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<byte[]> page = commands.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
      List<byte[]> keys = page.getKeys();
      for (byte[] key : keys) {
        commands.unlink(key);
      }
      cursor = page;
    } while (!cursor.isFinished());
  }

  /** The seed URIs of a cluster URL. */
  static List<RedisURI> seeds(String url) {
    List<RedisURI> seeds = new ArrayList<>();
    for (String hostPort : url.substring("redis://".length()).split(",")) {
      seeds.add(RedisURI.create("redis://" + hostPort));
    }
    return seeds;
  }

  /** The port of a standalone URL. */
  static int port(String url) {
    return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1).replaceAll("/.*", ""));
  }

  /** Runs TEST_REDIS_CONTROL with arguments (stop, start, kill PORT, pause PORT, ...). */
  static void control(String... arguments) throws IOException, InterruptedException {
    String command = required("TEST_REDIS_CONTROL");
    List<String> line = new ArrayList<>(List.of(command));
    line.addAll(List.of(arguments));
    Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      fail("'" + String.join(" ", line) + "' failed: " + output);
    }
  }

  private static String required(String variable) {
    String value = System.getenv(variable);
    if (value == null || value.isBlank()) {
      fail(variable + " is not set: run the Redis tests under scripts/with-redis, which installs Debian's redis-server"
          + " when missing and starts a standalone server and a 3-master cluster on free loopback ports, e.g."
          + " scripts/with-redis mvn -B verify -pl backend-redis -am");
    }
    return value;
  }
}
