package io.convstate.benchmarks;

import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.PreparedTurn;
import io.convstate.ResponsesConversations;
import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.cached.CachedStateStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real workload: concurrent conversations, each turn doing what a host does on a Responses
 * request through {@link ResponsesConversations}: load the history of previous_response_id
 * ({@code prepare}) and record the new turn ({@code record}). Items are realistic (text, tool
 * calls, reasoning with a 2 KiB encrypted blob, one 64 KiB tool output at turn 5). The model
 * answers instantly, so the figures are the storage's own cost.
 *
 * <p>Each store runs the same conversations, one group of a length at a time (all the 200-turn
 * conversations together, then the 1,000-turn ones, ...), after a warm-up on a table of its own.
 * Per group it measures the JSON recorded, the bytes the client sent to PostgreSQL (protocol
 * included, {@link CountingSocketFactory}) and the WAL the server wrote ({@code pg_current_wal_lsn()}),
 * or for Redis the bytes the server received and its {@code used_memory} growth ({@code INFO}), each
 * per conversation; then the cold load of a 200- and a 1,000-turn history by a freshly opened
 * store without a cache, and the table's size. Redis is a standalone server ({@link BenchRedis}).
 *
 * <pre>
 * java -Dconvstate.bench.url=$URL -cp benchmarks/target/convstate-benchmarks.jar io.convstate.benchmarks.ConversationScenario \
 *     --store memory,cached-memory,postgres,postgres-seed,cached-postgres,redis,cached-redis \
 *     --lengths 1x12,10x12,50x12,200x12,1000x2 --threads 4 --out benchmarks/results
 * </pre>
 */
public final class ConversationScenario {

  /** The stores, by the name {@code --store} takes, with the label the tables print. */
  static final Map<String, String> STORES = stores();
  static final String DEFAULT_LENGTHS = "1x12,10x12,50x12,200x12,1000x2";
  /** Reads per cold-load measurement (after the first). */
  static final int COLD_READS = 20;

  /** What one group (conversations of one length) cost, per conversation. */
  static final class Group {
    final int length;
    final int conversations;
    /** How many ran at once (threads). */
    final int atOnce;
    final double seconds;
    /** JSON of the final history: every turn's input and output. */
    final long historyBytes;
    /** Bytes the client sent to PostgreSQL or Redis, protocol included; -1 for memory. */
    final long sentBytes;
    /** WAL the server wrote; -1 but for PostgreSQL. */
    final long walBytes;
    /** Growth of Redis's {@code used_memory}; -1 but for Redis. */
    final long memoryBytes;

    Group(int length, int conversations, int atOnce, double seconds, long historyBytes, long sentBytes, long walBytes,
        long memoryBytes) {
      this.length = length;
      this.conversations = conversations;
      this.atOnce = atOnce;
      this.seconds = seconds;
      this.historyBytes = historyBytes;
      this.sentBytes = sentBytes;
      this.walBytes = walBytes;
      this.memoryBytes = memoryBytes;
    }
  }

  /** The history of a conversation read by a fresh store, without a cache. */
  static final class ColdLoad {
    final int turns;
    final long historyBytes;
    final long firstMicros;
    final long p50Micros;
    /**
     * Round trips to the server per read: PostgreSQL, the client's flushes; Redis, the server's read
     * events ({@code total_reads_processed}: one per request not pipelined); -1 for memory.
     */
    final double roundTrips;
    /** Bytes received per read, protocol included; -1 for memory. */
    final long receivedBytes;

    ColdLoad(int turns, long historyBytes, long firstMicros, long p50Micros, double roundTrips, long receivedBytes) {
      this.turns = turns;
      this.historyBytes = historyBytes;
      this.firstMicros = firstMicros;
      this.p50Micros = p50Micros;
      this.roundTrips = roundTrips;
      this.receivedBytes = receivedBytes;
    }
  }

  /** Everything a run measured on one store. */
  static final class Result {
    final String store;
    final List<Group> groups = new ArrayList<>();
    /**
     * Per conversation length, per turn number (1-based): the cost of that turn (load + record), ns,
     * in each conversation of that length.
     */
    final Map<Integer, Map<Integer, List<Long>>> byTurn = new HashMap<>();
    /** The same for the record alone (the write). */
    final Map<Integer, Map<Integer, List<Long>>> recordByTurn = new HashMap<>();
    final List<ColdLoad> coldLoads = new ArrayList<>();
    /** {heap, TOAST, indexes, total} bytes of the table after the run; null for memory. */
    long[] tableSizes;
    /** For a cached store: {bytes weighed at the end, hits, misses}; null otherwise. */
    long[] cache;

    Result(String store) {
      this.store = store;
    }

    String label() {
      return STORES.getOrDefault(store, store);
    }

    long turns() {
      return groups.stream().mapToLong(g -> (long) g.length * g.conversations).sum();
    }

    double seconds() {
      return groups.stream().mapToDouble(g -> g.seconds).sum();
    }

    /**
     * p50 of the cost of turns {@code from} to {@code to} in every conversation that reached them,
     * in µs; -1 when none did.
     */
    long p50Micros(int from, int to) {
      return percentileMicros(byTurn, 0, from, to, 50);
    }

    /**
     * p50 of turns {@code from} to {@code to} in the conversations of {@code length} turns only
     * (run together, so at the same concurrency), in µs; -1 when none. {@code record}: the record
     * alone.
     */
    long groupP50Micros(int length, boolean record, int from, int to) {
      return percentileMicros(record ? recordByTurn : byTurn, length, from, to, 50);
    }

    /** A percentile of the cost of turns {@code from} to {@code to} in every conversation, in µs. */
    long percentileMicros(int from, int to, double percentile) {
      return percentileMicros(byTurn, 0, from, to, percentile);
    }

    /** Samples of the conversations of {@code length} turns, or of every conversation when length is 0. */
    private static long percentileMicros(Map<Integer, Map<Integer, List<Long>>> samplesByLength, int length, int from, int to,
        double percentile) {
      List<Long> samples = new ArrayList<>();
      for (Map.Entry<Integer, Map<Integer, List<Long>>> group : samplesByLength.entrySet()) {
        if (length == 0 || group.getKey() == length) {
          for (int turn = from; turn <= to; turn++) {
            samples.addAll(group.getValue().getOrDefault(turn, List.of()));
          }
        }
      }
      return samples.isEmpty() ? -1 : percentile(samples.stream().mapToLong(Long::longValue).toArray(), percentile) / 1_000;
    }

    /** The length of the longest conversations. */
    int maxTurn() {
      return byTurn.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** How many conversations of this length ran at once. */
    int atOnce(int length) {
      Group group = group(length);
      return group == null ? 0 : group.atOnce;
    }

    Group group(int length) {
      return groups.stream().filter(g -> g.length == length).findFirst().orElse(null);
    }
  }

  private ConversationScenario() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    List<Result> results = new ArrayList<>();
    int threads = Integer.parseInt(options.getOrDefault("threads", "4"));
    int warmup = Integer.parseInt(options.getOrDefault("warmup", "8"));
    long seed = Long.parseLong(options.getOrDefault("seed", "1"));
    int[][] lengths = lengths(options.getOrDefault("lengths", DEFAULT_LENGTHS));
    for (String store : options.getOrDefault("store", String.join(",", STORES.keySet())).split(",")) {
      results.add(run(store, lengths, threads, warmup, seed, System.err));
    }
    Path directory = Path.of(options.getOrDefault("out", "benchmarks/results"));
    Files.createDirectories(directory);
    Files.writeString(directory.resolve("scenario.md"), markdown(results));
    Files.writeString(directory.resolve("scenario.csv"), csv(results));
    GrowthPlot.write(results, directory.resolve("cost-by-turn.png"));
    System.out.print(markdown(results));
  }

  /**
   * Runs the scenario on one store.
   *
   * @param lengths pairs of {length, conversations}, run in this order
   * @param warmup conversations of 20 turns run first on a table of their own, not measured
   */
  static Result run(String store, int[][] lengths, int threads, int warmup, long seed, PrintStream progress)
      throws Exception {
    if (warmup > 0) {
      try (Subject subject = Subject.open(store, "warmup")) {
        converseAll(subject, 20, warmup, threads, seed + 7, "warm", null, progress);
      }
    }
    Result result = new Result(store);
    try (Subject subject = Subject.open(store, "run")) {
      Map<Integer, String> lastOfLength = new HashMap<>();
      for (int[] group : lengths) {
        String lastId = converseAll(subject, group[0], group[1], threads, seed, "run", result, progress);
        lastOfLength.putIfAbsent(group[0], lastId);
      }
      List<Integer> cold = new ArrayList<>(List.of(200, 1_000));
      cold.retainAll(lastOfLength.keySet());
      if (cold.isEmpty()) { // a short run (the smoke test): the longest conversation
        cold.add(lastOfLength.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow());
      }
      for (int turns : cold) {
        result.coldLoads.add(coldLoad(subject, turns, lastOfLength.get(turns)));
      }
      result.tableSizes = subject.table == null ? null : BenchDatabase.tableSizes(subject.tables());
      if (subject.store instanceof CachedStateStore) {
        CachedStateStore cached = (CachedStateStore) subject.store;
        cached.cleanUp();
        result.cache = new long[] {cached.weightedSize(), cached.stats().hitCount(), cached.stats().missCount()};
      }
    }
    return result;
  }

  /**
   * Runs {@code count} conversations of {@code length} turns on up to {@code threads} threads,
   * adding a group and per-turn samples to {@code result} (when not null).
   *
   * @return "owner/response id" of the last turn of the first conversation
   */
  private static String converseAll(Subject subject, int length, int count, int threads, long seed, String phase,
      Result result, PrintStream progress) throws Exception {
    ResponsesConversations host = new ResponsesConversations(subject.store);
    ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < count; i++) {
      queue.add(i);
    }
    AtomicLong done = new AtomicLong();
    long historyBytes = 0;
    long walBefore = subject.table == null ? -1 : BenchDatabase.walPosition();
    long[] netBefore = CountingSocketFactory.totals();
    long[] redisBefore = subject.counters == null ? null : subject.counters.read();
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, count));
    List<Future<long[]>> workers = new ArrayList<>();
    for (int t = 0; t < Math.min(threads, count); t++) {
      workers.add(pool.submit(() -> {
        long bytes = 0;
        for (Integer index = queue.poll(); index != null; index = queue.poll()) {
          String name = phase + "_" + length + "_" + index;
          long[] samples = converse(host, name, owner(index), length, new Random(seed * 1_000_003 + length * 1_009L + index), done);
          bytes += samples[length];
          if (result != null) {
            synchronized (result) {
              Map<Integer, List<Long>> total = result.byTurn.computeIfAbsent(length, k -> new HashMap<>());
              Map<Integer, List<Long>> record = result.recordByTurn.computeIfAbsent(length, k -> new HashMap<>());
              for (int turn = 1; turn <= length; turn++) {
                total.computeIfAbsent(turn, k -> new ArrayList<>()).add(samples[turn - 1]);
                record.computeIfAbsent(turn, k -> new ArrayList<>()).add(samples[length + turn]);
              }
            }
          }
        }
        return new long[] {bytes};
      }));
    }
    pool.shutdown();
    long total = (long) length * count;
    while (!pool.awaitTermination(500, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      double elapsed = (System.nanoTime() - start) / 1e9;
      progress.printf(Locale.ROOT, "\r[%s] %s %d x %d turns: %,d / %,d turns, %.0f turns/s   ", subject.name, phase, count,
          length, done.get(), total, done.get() / elapsed);
    }
    for (Future<long[]> worker : workers) {
      historyBytes += worker.get()[0];
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] netAfter = CountingSocketFactory.totals();
    long walBytes = subject.table == null ? -1 : BenchDatabase.walPosition() - walBefore;
    long[] redisAfter = subject.counters == null ? null : subject.counters.read();
    progress.printf(Locale.ROOT, "\r[%s] %s %d x %d turns in %.1f s%40s%n", subject.name, phase, count, length, seconds, "");
    if (result != null) {
      long sent = subject.table != null ? (netAfter[0] - netBefore[0]) / count
          : redisAfter != null ? (redisAfter[1] - redisBefore[1]) / count : -1;
      result.groups.add(new Group(length, count, Math.min(threads, count), seconds, historyBytes / count, sent,
          walBytes < 0 ? -1 : walBytes / count, redisAfter == null ? -1 : (redisAfter[0] - redisBefore[0]) / count));
    }
    return owner(0) + "/resp_" + phase + "_" + length + "_0_" + length;
  }

  private static String owner(int index) {
    return "tenant_" + (index % 8);
  }

  /**
   * One conversation of {@code length} turns; returns the cost of each turn in ns (load the
   * previous history + record the turn), then the JSON bytes of the final history, then the cost
   * of each record alone.
   */
  private static long[] converse(ResponsesConversations host, String name, String owner, int length, Random random,
      AtomicLong done) {
    long[] samples = new long[2 * length + 1];
    String previous = null;
    long historyBytes = 0;
    for (int turn = 1; turn <= length; turn++) {
      InputItems input = Payloads.userInput(turn, random, true);
      InputItems output = Payloads.modelOutput(turn, random, true);
      String responseId = "resp_" + name + "_" + turn;
      var inputJson = input.toJsonNode();
      var outputJson = output.toJsonNode();
      long start = System.nanoTime();
      PreparedTurn prepared = host.prepare(owner, previous, inputJson);
      long loaded = System.nanoTime();
      Turn recorded = host.record(prepared, responseId, outputJson, "gpt-4o", "openai");
      long end = System.nanoTime();
      samples[turn - 1] = end - start;
      samples[length + turn] = end - loaded;
      historyBytes += recorded.input().jsonBytes() + recorded.output().jsonBytes();
      previous = responseId;
      done.incrementAndGet();
    }
    samples[length] = historyBytes;
    return samples;
  }

  /**
   * Reads a history with a freshly opened store without a cache (memory: the store itself): once,
   * then {@value #COLD_READS} times more.
   */
  private static ColdLoad coldLoad(Subject subject, int turns, String ownerAndId) {
    String owner = ownerAndId.substring(0, ownerAndId.indexOf('/'));
    String responseId = ownerAndId.substring(ownerAndId.indexOf('/') + 1);
    StateStore fresh = subject.openUncached();
    StateStore reader = fresh == null ? subject.store : fresh;
    try {
      reader.history(owner, "resp_run_1_0_1"); // a connection and a prepared read, as a running host has
      long start = System.nanoTime();
      History history = reader.history(owner, responseId).orElseThrow();
      long first = System.nanoTime() - start;
      long[] reads = new long[COLD_READS];
      long[] before = CountingSocketFactory.totals();
      long[] redisBefore = subject.counters == null ? null : subject.counters.read();
      for (int i = 0; i < COLD_READS; i++) {
        start = System.nanoTime();
        reader.history(owner, responseId).orElseThrow();
        reads[i] = System.nanoTime() - start;
      }
      long[] after = CountingSocketFactory.totals();
      long micros = first / 1_000;
      long p50 = percentile(reads, 50) / 1_000;
      if (subject.counters != null) {
        long[] redisAfter = subject.counters.read();
        return new ColdLoad(turns, history.items().jsonBytes(), micros, p50, (redisAfter[3] - redisBefore[3]) / (double) COLD_READS,
            (redisAfter[2] - redisBefore[2]) / COLD_READS);
      }
      boolean remote = subject.table != null;
      return new ColdLoad(turns, history.items().jsonBytes(), micros, p50,
          remote ? (after[2] - before[2]) / (double) COLD_READS : -1, remote ? (after[1] - before[1]) / COLD_READS : -1);
    } finally {
      if (fresh != null) {
        fresh.close();
      }
    }
  }

  /**
   * A store under test: the store, and for PostgreSQL its options and table, for Redis its options
   * and the server's counters.
   */
  static final class Subject implements AutoCloseable {
    final String name;
    final StateStore store;
    /** The postgres options of the storage (the delegate's, for a cache); null but for PostgreSQL. */
    final Map<String, String> postgres;
    /** schema.table; null but for PostgreSQL. */
    final String table;
    /** The redis options of the storage (the delegate's, for a cache); null but for Redis. */
    final Map<String, String> redis;
    /** The Redis server's counters; null but for Redis. */
    final BenchRedis.Counters counters;

    /** The tables of the layout: the table, and for the turn layout its conversations table. */
    String[] tables() {
      return postgres.get("layout").equals(BenchDatabase.TURNS) ? new String[] {table, table + "_conversations"}
          : new String[] {table};
    }

    private Subject(String name, StateStore store, Map<String, String> postgres) {
      this(name, store, postgres, null);
    }

    private Subject(String name, StateStore store, Map<String, String> postgres, Map<String, String> redis) {
      this.name = name;
      this.store = store;
      this.postgres = postgres;
      this.table = postgres == null ? null : postgres.get("table");
      this.redis = redis;
      this.counters = redis == null ? null : new BenchRedis.Counters();
    }

    /** Opens the named store on fresh storage; {@code phase} keeps warm-up and run apart. */
    static Subject open(String name, String phase) {
      String schema = "scenario_" + name.replace('-', '_') + "_" + phase;
      switch (name) {
        case "memory":
          return new Subject(name, StateStores.open(Map.of("type", "memory")), null);
        case "cached-memory":
          return new Subject(name, StateStores.open(Map.of("type", "cached", "cache.delegate", "memory")), null);
        case "postgres":
          return postgres(name, BenchDatabase.freshTable(schema, BenchDatabase.TURNS), false);
        case "postgres-seed":
          return postgres(name, BenchDatabase.freshTable(schema, BenchDatabase.SEED), false);
        case "cached-postgres":
          return postgres(name, BenchDatabase.freshTable(schema, BenchDatabase.TURNS), true);
        case "redis":
          return redis(name, schema, false);
        case "cached-redis":
          return redis(name, schema, true);
        default:
          throw new IllegalArgumentException("unknown store " + name + "; use " + String.join(", ", STORES.keySet()));
      }
    }

    private static Subject postgres(String name, Map<String, String> options, boolean cached) {
      Map<String, String> config = new HashMap<>(options);
      if (cached) {
        config.put("type", "cached");
        config.put("cache.delegate", "postgres");
      }
      return new Subject(name, StateStores.open(StoreConfig.of(config, Map.of())), options);
    }

    /** A store on the Redis server under a key prefix of its own (the leftovers of an earlier run removed). */
    private static Subject redis(String name, String prefix, boolean cached) {
      String unique = prefix.replace('_', '-');
      BenchRedis.deleteKeys(unique);
      Map<String, String> options = BenchRedis.options(unique);
      Map<String, String> config = new HashMap<>(options);
      if (cached) {
        config.put("type", "cached");
        config.put("cache.delegate", "redis");
      }
      return new Subject(name, StateStores.open(StoreConfig.of(config, Map.of())), null, options);
    }

    /**
     * A store that reads the same storage without a cache, freshly opened (the caller closes it);
     * null for memory, whose heap is its storage.
     */
    StateStore openUncached() {
      if (redis != null) {
        return StateStores.open(StoreConfig.of(redis, Map.of()));
      }
      if (postgres == null) {
        return null;
      }
      Map<String, String> options = new HashMap<>(postgres);
      options.put("pool.max_size", "2");
      options.put("pool.min_idle", "1");
      return StateStores.open(StoreConfig.of(options, Map.of()));
    }

    @Override
    public void close() {
      store.close();
      if (counters != null) {
        counters.close();
        BenchRedis.deleteKeys(redis.get("prefix"));
      }
    }
  }

  static String markdown(List<Result> results) {
    StringBuilder md = new StringBuilder();
    md.append("Every turn of every conversation: the cost of a turn (load the previous history + record the turn)."
        + " Higher turns/s and lower times are better.\n\n");
    md.append("| store | conversations | turns | turns/s | p50 per turn | p99 per turn |\n");
    md.append("|---|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %,d | %,.0f | %s | %s |%n", r.label(),
          r.groups.stream().mapToInt(g -> g.conversations).sum(), r.turns(), r.turns() / r.seconds(),
          micros(r.percentileMicros(1, r.maxTurn(), 50)), micros(r.percentileMicros(1, r.maxTurn(), 99))));
    }
    growth(md, results, false, "How the cost of a turn (load + record) grows, p50 over the turns named, within the conversations of"
        + " one length (run together, at the same concurrency). Lower is better; a ratio near 1x (flat) is the goal.");
    growth(md, results, true, "The record alone (the write, `ResponsesConversations.record`), the same way. Lower is better;"
        + " a ratio near 1x (flat) is the goal.");
    md.append("\nBytes per conversation: the JSON of its final history; what the client sent to PostgreSQL"
        + " (protocol included); the WAL the server wrote (`pg_current_wal_lsn()`). Ratios are to the final history;"
        + " lower is better, 1x is the floor.\n\n");
    md.append("| store | turns | final history | sent to PostgreSQL | sent / history | WAL | WAL / history |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      if (r.tableSizes == null) {
        continue;
      }
      for (Group g : r.groups) {
        md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s |%n", r.label(), g.length, bytes(g.historyBytes),
            bytes(g.sentBytes), ratio(g.sentBytes, g.historyBytes), bytes(g.walBytes), ratio(g.walBytes, g.historyBytes)));
      }
    }
    if (results.stream().anyMatch(r -> r.groups.stream().anyMatch(g -> g.memoryBytes >= 0))) {
      md.append("\nBytes per conversation on Redis: the JSON of its final history; what the server received (protocol"
          + " included, `INFO stats` total_net_input_bytes); the growth of its `used_memory` (`INFO memory`). Ratios are to the"
          + " final history; lower is better.\n\n");
      md.append("| store | turns | final history | sent to Redis | sent / history | used_memory | memory / history |\n");
      md.append("|---|---:|---:|---:|---:|---:|---:|\n");
      for (Result r : results) {
        for (Group g : r.groups) {
          if (g.memoryBytes >= 0) {
            md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s |%n", r.label(), g.length,
                bytes(g.historyBytes), bytes(g.sentBytes), ratio(g.sentBytes, g.historyBytes), bytes(g.memoryBytes),
                ratio(g.memoryBytes, g.historyBytes)));
          }
        }
      }
    }
    md.append("\nCold load: the history of the last turn of a conversation, read by a freshly opened store without a"
        + " cache (after one read of another response, so a connection exists): the first read, then the p50 of "
        + COLD_READS + " more. Lower is better.\n\n");
    md.append("| store | turns | history | first read | p50 read | round trips per read | bytes received per read |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      for (ColdLoad c : r.coldLoads) {
        md.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s |%n", r.label(), c.turns, bytes(c.historyBytes),
            micros(c.firstMicros), micros(c.p50Micros), c.roundTrips < 0 ? "-" : String.format(Locale.ROOT, "%.1f", c.roundTrips),
            bytes(c.receivedBytes)));
      }
    }
    md.append("\nThe tables after the run (every conversation above; the turn layout's conversations table included): heap,"
        + " TOAST, indexes and total on disk, against the JSON of every conversation's final history. Lower is better.\n\n");
    md.append("| store | final histories | heap | TOAST | indexes | total | total / histories |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      if (r.tableSizes != null) {
        long histories = r.groups.stream().mapToLong(g -> g.historyBytes * g.conversations).sum();
        md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", r.label(), bytes(histories),
            bytes(r.tableSizes[0]), bytes(r.tableSizes[1]), bytes(r.tableSizes[2]), bytes(r.tableSizes[3]),
            ratio(r.tableSizes[3], histories)));
      }
    }
    if (results.stream().anyMatch(r -> r.cache != null)) {
      md.append("\nThe near cache at the end of the run (default bound 256 MiB; reads by `prepare` of the response recorded"
          + " the turn before are hits).\n\n");
      md.append("| store | weighed | hits | misses | hit rate |\n|---|---:|---:|---:|---:|\n");
      for (Result r : results) {
        if (r.cache != null) {
          md.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %.1f%% |%n", r.label(), bytes(r.cache[0]), r.cache[1],
              r.cache[2], 100.0 * r.cache[1] / Math.max(1, r.cache[1] + r.cache[2])));
        }
      }
    }
    return md.toString();
  }

  /** The growth table: for each store, its 200- and 1,000-turn conversations (or its longest), first ten turns against last ten. */
  private static void growth(StringBuilder md, List<Result> results, boolean record, String heading) {
    md.append("\n").append(heading).append("\n\n");
    md.append("| store | conversations | turn 1 | turns 1-10 | turns 191-200 | turns 991-1,000 | last 10 vs first 10 |\n");
    md.append("|---|---|---:|---:|---:|---:|---:|\n");
    for (Result r : results) {
      List<Integer> lengths = new ArrayList<>(List.of(200, 1_000));
      lengths.retainAll(r.byTurn.keySet());
      if (lengths.isEmpty()) {
        lengths.add(r.maxTurn());
      }
      for (int length : lengths) {
        long first = r.groupP50Micros(length, record, 1, 10);
        long last = r.groupP50Micros(length, record, length - 9, length);
        md.append(String.format(Locale.ROOT, "| %s | %d of %,d turns, %d at once | %s | %s | %s | %s | %s |%n", r.label(),
            r.group(length).conversations, length, r.atOnce(length), micros(r.groupP50Micros(length, record, 1, 1)),
            micros(first), micros(r.groupP50Micros(length, record, 191, 200)), micros(r.groupP50Micros(length, record, 991, 1_000)),
            ratio(last, first)));
      }
    }
  }

  static String csv(List<Result> results) {
    StringBuilder csv = new StringBuilder("store,turn,p50_micros,record_p50_micros,conversations\n");
    for (Result r : results) {
      for (int t = 1; t <= r.maxTurn(); t++) {
        int turn = t;
        int conversations = r.byTurn.values().stream().mapToInt(samples -> samples.getOrDefault(turn, List.of()).size()).sum();
        csv.append(r.store).append(',').append(turn).append(',').append(r.p50Micros(turn, turn)).append(',')
            .append(Result.percentileMicros(r.recordByTurn, 0, turn, turn, 50)).append(',').append(conversations).append('\n');
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

  private static String micros(long micros) {
    return micros < 0 ? "-" : micros >= 10_000 ? String.format(Locale.ROOT, "%,.1f ms", micros / 1000.0)
        : String.format(Locale.ROOT, "%,d µs", micros);
  }

  private static String ratio(long value, long base) {
    return value < 0 || base <= 0 ? "-" : String.format(Locale.ROOT, "%.2fx", value / (double) base);
  }

  static String bytes(long bytes) {
    return bytes < 0 ? "-" : bytes < 1024 ? bytes + " B" : bytes < (1 << 20) ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0)
        : bytes < (1L << 30) ? String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0)
        : String.format(Locale.ROOT, "%.2f GiB", bytes / 1073741824.0);
  }

  /** "1x12,200x12": lengths with their number of conversations. */
  static int[][] lengths(String list) {
    return Arrays.stream(list.split(",")).map(String::strip).map(group -> {
      String[] parts = group.split("x");
      return new int[] {Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 1};
    }).toArray(int[][]::new);
  }

  private static Map<String, String> stores() {
    Map<String, String> stores = new LinkedHashMap<>();
    stores.put("memory", "memory");
    stores.put("cached-memory", "cached over memory");
    stores.put("postgres", "postgres, turn layout");
    stores.put("postgres-seed", "postgres, seed layout (conversation_states)");
    stores.put("cached-postgres", "cached over postgres, turn layout");
    stores.put("redis", "redis");
    stores.put("cached-redis", "cached over redis");
    return stores;
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: --store " + String.join(",", STORES.keySet()) + " --lengths "
            + DEFAULT_LENGTHS + " --threads 4 --warmup 8 --seed 1 --out benchmarks/results");
      }
      options.put(args[i].substring(2), args[++i]);
    }
    return options;
  }
}
