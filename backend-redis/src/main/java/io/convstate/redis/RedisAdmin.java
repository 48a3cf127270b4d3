package io.convstate.redis;

import io.convstate.ConvStateException;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreConfig;
import io.convstate.Validation;
import io.convstate.spi.StoreInspection;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The operator's view of a Redis store, for the CLI's {@code stats} and {@code verify}: what the
 * prefix holds, and whether the servers are set up as convstate needs them ("Operating Redis for
 * convstate" in the README). It connects with the store's options, so the same connection checks
 * and credentials apply, and writes nothing: a prefix that holds no store yet is reported, not
 * created. Thread-safe; close it after use.
 */
public final class RedisAdmin implements StoreInspection {

  private final RedisStateStore store;
  private final RedisLink link;
  private final RedisKeys keys;
  private final RedisOptions options;

  private RedisAdmin(RedisStateStore store) {
    this.store = store;
    this.link = store.link();
    this.keys = store.keys();
    this.options = store.options();
  }

  /**
   * Connects as a store with {@code config} would, writing nothing.
   *
   * @throws io.convstate.ConfigurationException for a bad option, or a shard count or format other
   *     than the prefix's
   * @throws StorageUnavailableException when Redis cannot be reached
   */
  public static RedisAdmin connect(StoreConfig config) {
    return new RedisAdmin(new RedisStateStore(config, Clock.systemUTC(), true));
  }

  /** Where: servers, database, user and prefix (and whether it holds a store); never the password. */
  @Override
  public String description() {
    return "Redis " + (link.cluster() ? "Cluster" : "server") + " at " + link.description() + ", prefix '"
        + options.prefix + "'" + (prefixExists() ? "" : " (no store under this prefix yet)");
  }

  @Override
  public String checks() {
    return "eviction policy, persistence, replicas, cluster state and the user's reads";
  }

  /** {@link #summary()} as lines: conversations, their activity, and a line per server. */
  @Override
  public List<String> stats() {
    Summary summary = summary();
    List<String> lines = new ArrayList<>();
    lines.add("conversations:  " + summary.conversations
        + (prefixExists() ? "" : " (no store under this prefix yet: check option prefix, -o prefix=... or CONVSTATE_PREFIX)"));
    lines.add("oldest:         " + (summary.oldestActivity == null ? "-" : summary.oldestActivity) + " (last activity)");
    lines.add("newest:         " + (summary.newestActivity == null ? "-" : summary.newestActivity));
    lines.add("servers:");
    summary.servers.forEach((address, server) -> lines.add(server.error != null
        ? String.format(Locale.ROOT, "  %-22s did not answer: %s", address, server.error)
        : String.format(Locale.ROOT, "  %-22s %-7s memory %s of %s, policy %s, aof %s, %d keys", address, server.role,
            server.usedMemory, server.maxMemory.equals("0B") ? "no limit" : server.maxMemory, server.policy,
            server.aof ? "on" : "off", server.keys)));
    return lines;
  }

  /** Whether the prefix holds a store: one has recorded its format there. */
  public boolean prefixExists() {
    return store.prefixExists();
  }

  /**
   * Counts the conversations of every shard's activity index and their oldest and newest
   * activity (one pipelined pass over the shards), and asks every server for INFO.
   *
   * @throws io.convstate.StorageException when an index cannot be read
   */
  public Summary summary() {
    RedisClusterAsyncCommands<byte[], byte[]> commands = link.commands();
    int shards = keys.shards().count();
    List<CompletionStage<Long>> counts = new ArrayList<>(shards);
    List<CompletionStage<List<ScoredValue<byte[]>>>> ends = new ArrayList<>(2 * shards);
    for (int shard = 0; shard < shards; shard++) {
      byte[] index = keys.indexOfShard(shard);
      counts.add(commands.zcard(index));
      ends.add(commands.zrangeWithScores(index, 0, 0));
      ends.add(commands.zrangeWithScores(index, -1, -1));
    }
    long conversations = 0;
    for (CompletionStage<Long> count : counts) {
      conversations += link.await(count);
    }
    Instant oldest = null;
    Instant newest = null;
    for (CompletionStage<List<ScoredValue<byte[]>>> end : ends) {
      for (ScoredValue<byte[]> entry : link.await(end)) {
        Instant activity = Instant.ofEpochMilli((long) entry.getScore());
        oldest = oldest == null || activity.isBefore(oldest) ? activity : oldest;
        newest = newest == null || activity.isAfter(newest) ? activity : newest;
      }
    }
    return new Summary(conversations, oldest, newest, servers());
  }

  /**
   * Checks what the README asks of the servers: every server answering, {@code maxmemory-policy
   * noeviction} on every server (a replica may become the master), AOF on every master (on the
   * replicas too with {@code wait_replicas}), enough replicas per master for {@code wait_replicas},
   * every cluster node seeing the cluster as ok; and that the user may read the store's keys, run
   * its cleanup's reads and run scripts.
   *
   * @return each problem with its fix; empty when all is well
   * @throws StorageUnavailableException when Redis cannot be reached at all
   */
  @Override
  public List<Finding> verify() {
    List<Finding> findings = new ArrayList<>();
    servers().forEach((address, server) -> check(address, server, findings));
    if (link.cluster()) {
      answers(link.askEachServer(RedisClusterAsyncCommands::clusterInfo)).forEach((address, info) -> {
        String state = info.text == null ? null : field(info.text, "cluster_state");
        if (state != null && !state.equals("ok")) {
          findings.add(new Finding("Redis at " + address + " sees the cluster's state as '" + state
              + "': some slots have no master that answers.",
              "redis-cli --cluster check " + address + ", then redis-cli --cluster fix " + address));
        }
      });
    }
    try {
      store.turn(null, "resp_convstate_verify");
      store.deleteInactiveBefore(Validation.EARLIEST_CUTOFF);
      link.await(link.commands().eval("return 1", ScriptOutputType.INTEGER));
    } catch (StorageUnavailableException e) {
      findings.add(new Finding("Reading the store's keys failed as unavailable: " + e.getMessage(),
          "check that every master answers (see the servers above)"));
    } catch (ConvStateException e) {
      findings.add(new Finding("Reading the store's keys or running a script failed: " + e.getMessage(),
          "give the user reading, writing and scripting on ~" + options.prefix + ":* (see the README's ACL line)"));
    }
    return findings;
  }

  private void check(String address, Server server, List<Finding> findings) {
    if (server.error != null) {
      findings.add(new Finding("Redis at " + address + " did not answer INFO: " + server.error,
          "check that it is up, and that the user may run INFO (ACL: +info)"));
      return;
    }
    boolean master = server.role.equals("master");
    if (!server.policy.equals("noeviction")) {
      findings.add(new Finding("Redis at " + address + " (" + server.role + ") has maxmemory-policy " + server.policy
          + ": when full it may evict conversation state it acknowledged.",
          configSet(address, "maxmemory-policy", "noeviction")));
    }
    if ((master || options.waitReplicas > 0) && !server.aof) {
      findings.add(new Finding("Redis at " + address + " (" + server.role + ") has AOF off: a restart loses"
          + " every turn written since its last snapshot.", configSet(address, "appendonly", "yes")));
    }
    if (master && server.replicas < options.waitReplicas) {
      findings.add(new Finding("Redis at " + address + " has " + server.replicas + " connected replica"
          + (server.replicas == 1 ? "" : "s") + " and wait_replicas is " + options.waitReplicas
          + ": every write to it fails as unavailable.",
          "attach replicas to it, or lower wait_replicas"));
    }
  }

  private static String configSet(String address, String parameter, String value) {
    int colon = address.lastIndexOf(':');
    return "redis-cli -h " + address.substring(0, colon) + " -p " + address.substring(colon + 1) + " CONFIG SET "
        + parameter + " " + value + ", and " + parameter + " " + value + " in its redis.conf";
  }

  private Map<String, Server> servers() {
    Map<String, Server> servers = new LinkedHashMap<>();
    answers(link.askEachServer(commands -> commands.info("default"))).forEach((address, info) -> servers.put(address,
        info.text == null ? Server.failed(info.error) : Server.parse(info.text, options.connection.database())));
    return Collections.unmodifiableMap(servers);
  }

  /** A server's answer, or why there is none. */
  private record Answer(String text, String error) {}

  private Map<String, Answer> answers(Map<String, CompletionStage<String>> questions) {
    Map<String, Answer> answers = new LinkedHashMap<>();
    questions.forEach((address, answer) -> {
      try {
        answers.put(address, new Answer(link.await(answer), null));
      } catch (ConvStateException e) {
        answers.put(address, new Answer(null, e.getMessage()));
      }
    });
    return answers;
  }

  /** A {@code name:value} line of INFO or CLUSTER INFO; null when absent. */
  private static String field(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).strip();
      }
    }
    return null;
  }

  @Override
  public void close() {
    store.close();
  }

  @Override
  public String toString() {
    return "RedisAdmin[" + description() + "]";
  }

  /** What the prefix holds and what each server says of itself. Immutable. */
  public static final class Summary {
    /** Conversations in the activity indexes (expired ones leave at the next recording or cleanup). */
    public final long conversations;
    /** The oldest and newest last activity of a conversation; null when there is none. */
    public final Instant oldestActivity;
    public final Instant newestActivity;
    /** Every server by {@code host:port}. */
    public final Map<String, Server> servers;

    Summary(long conversations, Instant oldestActivity, Instant newestActivity, Map<String, Server> servers) {
      this.conversations = conversations;
      this.oldestActivity = oldestActivity;
      this.newestActivity = newestActivity;
      this.servers = servers;
    }
  }

  /** One server's INFO, the parts convstate cares about. Immutable. */
  public static final class Server {
    /** {@code master} or {@code slave} (Redis's word); null when {@link #error} is set. */
    public final String role;
    /** Memory in use and the limit, as Redis prints them ({@code 1.32M}; {@code 0B}: no limit). */
    public final String usedMemory;
    public final String maxMemory;
    /** {@code maxmemory-policy}. */
    public final String policy;
    /** Whether AOF is on. */
    public final boolean aof;
    /** Connected replicas (of a master). */
    public final int replicas;
    /** Keys in the store's database on this server, every prefix's. */
    public final long keys;
    /** Why INFO failed; null when it answered. */
    public final String error;

    private Server(String role, String usedMemory, String maxMemory, String policy, boolean aof, int replicas,
        long keys, String error) {
      this.role = role;
      this.usedMemory = usedMemory;
      this.maxMemory = maxMemory;
      this.policy = policy;
      this.aof = aof;
      this.replicas = replicas;
      this.keys = keys;
      this.error = error;
    }

    static Server failed(String error) {
      return new Server(null, null, null, null, false, 0, 0, error);
    }

    /** Reads INFO's {@code name:value} lines; the keyspace line is {@code db0:keys=3,expires=1,...}. */
    static Server parse(String info, int database) {
      Map<String, String> fields = new HashMap<>();
      for (String line : info.split("\r?\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && !line.startsWith("#")) {
          fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
        }
      }
      long keys = 0;
      String keyspace = fields.get("db" + database);
      if (keyspace != null && keyspace.startsWith("keys=")) {
        int comma = keyspace.indexOf(',');
        keys = Long.parseLong(keyspace.substring("keys=".length(), comma < 0 ? keyspace.length() : comma));
      }
      return new Server(fields.getOrDefault("role", "unknown"), fields.getOrDefault("used_memory_human", "?"),
          fields.getOrDefault("maxmemory_human", "?"), fields.getOrDefault("maxmemory_policy", "unknown"),
          "1".equals(fields.get("aof_enabled")), Integer.parseInt(fields.getOrDefault("connected_slaves", "0")), keys, null);
    }
  }

  /** A problem {@link #verify} found, and the command or change that fixes it. */
  public record Finding(String problem, String fix) implements StoreInspection.Finding {}
}
