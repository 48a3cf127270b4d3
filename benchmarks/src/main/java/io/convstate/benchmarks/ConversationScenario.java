package io.convstate.benchmarks;

import io.convstate.ConversationState;
import io.convstate.InputItems;
import io.convstate.PreparedTurn;
import io.convstate.ResponsesConversations;
import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.StoreConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real workload: many concurrent conversations, each turn rebuilding the history from
 * previous_response_id and storing the new state, as {@link ResponsesConversations} does for a
 * host. Items are realistic (text, tool calls, reasoning with an encrypted blob, one 64 KiB tool
 * output). The model answers instantly, so the figures are the storage's own cost.
 *
 * <pre>
 * java -cp benchmarks/target/convstate-benchmarks.jar io.convstate.benchmarks.ConversationScenario \
 *     --store postgres --lengths 1,10,50,200 --per-length 6 --threads 4 --out benchmarks/results
 * </pre>
 */
public final class ConversationScenario {

  /** Turns at which growth is reported. */
  static final int[] MILESTONES = {1, 10, 50, 200};

  /** Results of one run. */
  static final class Result {
    final String store;
    final int conversations;
    final long turns;
    final double seconds;
    final long[] latenciesNanos;
    /** Per turn number (1-based): latencies and bytes written by the conversations that reached it. */
    final Map<Integer, List<long[]>> byTurn;
    /** Per conversation length: JSON bytes stored for the whole conversation (every state). */
    final Map<Integer, Long> storedByLength;
    final long tableBytes;

    Result(String store, int conversations, long turns, double seconds, long[] latenciesNanos,
        Map<Integer, List<long[]>> byTurn, Map<Integer, Long> storedByLength, long tableBytes) {
      this.store = store;
      this.conversations = conversations;
      this.turns = turns;
      this.seconds = seconds;
      this.latenciesNanos = latenciesNanos;
      this.byTurn = byTurn;
      this.storedByLength = storedByLength;
      this.tableBytes = tableBytes;
    }

    double turnsPerSecond() {
      return turns / seconds;
    }

    long percentileMicros(double percentile) {
      return percentile(latenciesNanos, percentile) / 1_000;
    }

    /** Median latency (µs) and median bytes written at turn t, or null when no conversation reached it. */
    long[] atTurn(int turn) {
      List<long[]> samples = byTurn.get(turn);
      if (samples == null || samples.isEmpty()) {
        return null;
      }
      long[] latencies = samples.stream().mapToLong(s -> s[0]).toArray();
      long[] bytes = samples.stream().mapToLong(s -> s[1]).toArray();
      return new long[] {percentile(latencies, 50) / 1_000, percentile(bytes, 50)};
    }
  }

  private ConversationScenario() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    String out = options.getOrDefault("out", "benchmarks/results");
    List<Result> results = new ArrayList<>();
    for (String store : options.getOrDefault("store", "memory,postgres,cached").split(",")) {
      results.add(run(store, lengths(options.getOrDefault("lengths", "1,10,50,200")),
          Integer.parseInt(options.getOrDefault("per-length", "6")), Integer.parseInt(options.getOrDefault("threads", "4")),
          Long.parseLong(options.getOrDefault("seed", "1")), System.err));
    }
    Path directory = Path.of(out);
    Files.createDirectories(directory);
    Files.writeString(directory.resolve("scenario.md"), markdown(results));
    Files.writeString(directory.resolve("scenario.csv"), csv(results));
    GrowthPlot.write(results, directory.resolve("cost-by-turn.png"));
    System.out.print(markdown(results));
  }

  /** Opens the named store: memory, postgres (a fresh table), or cached over postgres. */
  static StateStore open(String store) {
    switch (store) {
      case "memory":
        return StateStores.open(Map.of("type", "memory"));
      case "postgres":
        return StateStores.open(StoreConfig.of(BenchDatabase.freshTable("scenario_postgres"), Map.of()));
      case "cached":
        Map<String, String> options = new HashMap<>(BenchDatabase.freshTable("scenario_cached"));
        options.put("type", "cached");
        options.put("cache.delegate", "postgres");
        options.put("cache.maximum_weight", "512MiB");
        return StateStores.open(StoreConfig.of(options, Map.of()));
      default:
        throw new IllegalArgumentException("unknown store " + store + "; use memory, postgres or cached");
    }
  }

  static Result run(String storeName, int[] lengths, int perLength, int threads, long seed, PrintStream progress)
      throws Exception {
    ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
    long totalTurns = 0;
    for (int i = 0; i < perLength; i++) {
      for (int length : lengths) {
        queue.add(length);
        totalTurns += length;
      }
    }
    int conversations = queue.size();
    Map<Integer, List<long[]>> byTurn = new HashMap<>();
    Map<Integer, Long> storedByLength = new HashMap<>();
    List<Long> latencies = new ArrayList<>();
    AtomicLong done = new AtomicLong();
    try (StateStore store = open(storeName)) {
      ResponsesConversations host = new ResponsesConversations(store);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      long start = System.nanoTime();
      List<Future<?>> workers = new ArrayList<>();
      AtomicLong conversationIds = new AtomicLong();
      for (int t = 0; t < threads; t++) {
        workers.add(pool.submit(() -> {
          for (Integer length = queue.poll(); length != null; length = queue.poll()) {
            long conversation = conversationIds.incrementAndGet();
            long[][] samples = converse(host, storeName + "_" + conversation, length, new Random(seed * 1_000_003 + conversation), done);
            long stored = 0;
            synchronized (byTurn) {
              for (int turn = 1; turn <= length; turn++) {
                byTurn.computeIfAbsent(turn, k -> new ArrayList<>()).add(samples[turn - 1]);
                latencies.add(samples[turn - 1][0]);
                stored += samples[turn - 1][1];
              }
              storedByLength.merge(length, stored, Math::max);
            }
          }
          return null;
        }));
      }
      while (!workers.stream().allMatch(Future::isDone)) {
        Thread.sleep(500);
        double elapsed = (System.nanoTime() - start) / 1e9;
        progress.printf(Locale.ROOT, "\r[%s] %,d / %,d turns, %.0f turns/s   ", storeName, done.get(), totalTurns, done.get() / elapsed);
      }
      for (Future<?> worker : workers) {
        worker.get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      pool.shutdown();
      progress.printf(Locale.ROOT, "\r[%s] %,d turns in %.1f s%n", storeName, done.get(), seconds);
      long tableBytes = storeName.equals("memory") ? -1 : tableBytes(storeName.equals("postgres") ? "scenario_postgres" : "scenario_cached");
      return new Result(storeName, conversations, done.get(), seconds, latencies.stream().mapToLong(Long::longValue).toArray(),
          byTurn, storedByLength, tableBytes);
    }
  }

  /** One conversation of {@code length} turns; returns, per turn, {latency ns, bytes written}. */
  private static long[][] converse(ResponsesConversations host, String name, int length, Random random, AtomicLong done) {
    long[][] samples = new long[length][];
    String previous = null;
    for (int turn = 1; turn <= length; turn++) {
      InputItems input = Payloads.userInput(turn, random, true);
      InputItems output = Payloads.modelOutput(turn, random, true);
      String responseId = "resp_" + name + "_" + turn;
      long start = System.nanoTime();
      PreparedTurn prepared = host.prepare(previous, input.toJsonNode());
      ConversationState stored = host.record(prepared, responseId, output.toJsonNode(), "gpt-4o", "openai");
      long elapsed = System.nanoTime() - start;
      samples[turn - 1] = new long[] {elapsed, stored.items().jsonBytes()};
      previous = responseId;
      done.incrementAndGet();
    }
    return samples;
  }

  private static long tableBytes(String schema) {
    try (Connection connection = BenchDatabase.connect(BenchDatabase.freshTableOptions(schema));
        Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT pg_total_relation_size('" + schema + ".conversation_states')")) {
      row.next();
      return row.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String markdown(List<Result> results) {
    StringBuilder md = new StringBuilder();
    md.append("| store | conversations | turns | turns/s | p50 per turn | p99 per turn | table on disk |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %,d | %,.0f | %,d µs | %,d µs | %s |%n", r.store, r.conversations, r.turns,
          r.turnsPerSecond(), r.percentileMicros(50), r.percentileMicros(99), r.tableBytes < 0 ? "-" : mib(r.tableBytes)));
    }
    md.append("\n| store | turn | p50 latency of that turn | JSON bytes written by that turn | JSON stored by a conversation of that length |\n");
    md.append("|---|---:|---:|---:|---:|\n");
    for (Result r : results) {
      for (int turn : MILESTONES) {
        long[] at = r.atTurn(turn);
        if (at != null) {
          Long stored = r.storedByLength.get(turn);
          md.append(String.format(Locale.ROOT, "| %s | %d | %,d µs | %s | %s |%n", r.store, turn, at[0], kib(at[1]),
              stored == null ? "-" : kib(stored)));
        }
      }
    }
    return md.toString();
  }

  static String csv(List<Result> results) {
    StringBuilder csv = new StringBuilder("store,turn,p50_micros,bytes_written\n");
    for (Result r : results) {
      for (int turn = 1; r.atTurn(turn) != null; turn++) {
        long[] at = r.atTurn(turn);
        csv.append(r.store).append(',').append(turn).append(',').append(at[0]).append(',').append(at[1]).append('\n');
      }
    }
    return csv.toString();
  }

  static long percentile(long[] values, double percentile) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static String kib(long bytes) {
    return bytes < 1024 ? bytes + " B" : bytes < (1 << 20) ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0)
        : String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }

  private static int[] lengths(String list) {
    return Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: --store memory,postgres,cached --lengths 1,10,50,200 --per-length 6"
            + " --threads 4 --seed 1 --out benchmarks/results");
      }
      options.put(args[i].substring(2), args[++i]);
    }
    return options;
  }
}
