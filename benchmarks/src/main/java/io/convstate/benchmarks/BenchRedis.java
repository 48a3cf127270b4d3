package io.convstate.benchmarks;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone Redis server the scenario uses: system property {@code convstate.bench.redis_url},
 * else {@code BENCH_REDIS_URL}, else {@code TEST_REDIS_URL} (scripts/bench starts a throwaway
 * server through scripts/with-redis and sets it). It also reads the server's counters
 * ({@code INFO}) for the bytes a group cost, and removes a run's keys afterwards.
 *
 * <p>The counters are the whole server's: the figures are right when nothing else uses it during
 * the run (as with scripts/with-redis).
 */
final class BenchRedis {

  private static final Pattern FIELD = Pattern.compile("^(\\w+):(\\d+)\\s*$", Pattern.MULTILINE);

  private BenchRedis() {}

  static String url() {
    String url = System.getProperty("convstate.bench.redis_url", System.getenv("BENCH_REDIS_URL"));
    if (url == null || url.isBlank()) {
      url = System.getenv("TEST_REDIS_URL");
    }
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("No Redis for the benchmarks: run scripts/bench (or scripts/with-redis), or set BENCH_REDIS_URL");
    }
    return url;
  }

  /** Store options on the benchmark server under a key prefix of their own. */
  static Map<String, String> options(String prefix) {
    return new HashMap<>(Map.of("type", "redis", "connection_string", url(), "cluster", "false", "prefix", prefix));
  }

  /**
   * The server's counters, read over one connection of their own: {@link #read} returns
   * {used_memory, total_net_input_bytes, total_net_output_bytes, total_reads_processed} with what
   * the readings themselves added left out, so differences between two readings are the
   * workload's. Reads processed are the server's read events: one per request that is not
   * pipelined, so round trips (commands would count those a Lua script runs, too). Not
   * thread-safe.
   */
  static final class Counters implements AutoCloseable {
    /** INFO memory and INFO stats, as sent (RESP). */
    private static final long READING_REQUEST_BYTES = "*2\r\n$4\r\nINFO\r\n$6\r\nmemory\r\n".length()
        + "*2\r\n$4\r\nINFO\r\n$5\r\nstats\r\n".length();
    private final Connection redis = new Connection();
    private long readings;
    private long repliesBytes;

    long[] read() {
      String memory = redis.commands.info("memory");
      String stats = redis.commands.info("stats");
      Map<String, Long> fields = new HashMap<>();
      Matcher field = FIELD.matcher(memory + stats);
      while (field.find()) {
        fields.put(field.group(1), Long.parseLong(field.group(2)));
      }
      // At INFO stats, both requests of this reading are counted as input and as reads, but only
      // INFO memory's reply as output.
      long[] counters = {fields.get("used_memory"),
          fields.get("total_net_input_bytes") - (readings + 1) * READING_REQUEST_BYTES,
          fields.get("total_net_output_bytes") - repliesBytes - bulkBytes(memory),
          fields.get("total_reads_processed") - 2 * readings - 2};
      readings++;
      repliesBytes += bulkBytes(memory) + bulkBytes(stats);
      return counters;
    }

    private static long bulkBytes(String reply) {
      int length = reply.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      return 1 + Integer.toString(length).length() + 2 + length + 2;
    }

    @Override
    public void close() {
      redis.close();
    }
  }

  /** Removes every key under {@code prefix} (a run's leftovers), so a shared server is left as found. */
  static void deleteKeys(String prefix) {
    try (Connection redis = new Connection()) {
      ScanArgs match = ScanArgs.Builder.matches(prefix + ":*").limit(1_000);
      KeyScanCursor<String> cursor = redis.commands.scan(match);
      while (true) {
        if (!cursor.getKeys().isEmpty()) {
          // DEL, not UNLINK: the memory is free before the next group measures its own.
          redis.commands.del(cursor.getKeys().toArray(String[]::new));
        }
        if (cursor.isFinished()) {
          return;
        }
        cursor = redis.commands.scan(ScanCursor.of(cursor.getCursor()), match);
      }
    }
  }

  /** One plain connection, closed with its client. */
  private static final class Connection implements AutoCloseable {
    final RedisClient client = RedisClient.create(url());
    final StatefulRedisConnection<String, String> connection = client.connect();
    final RedisCommands<String, String> commands = connection.sync();

    @Override
    public void close() {
      connection.close();
      client.shutdown();
    }
  }
}
