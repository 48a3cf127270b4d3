package io.convstate.redis;

import io.convstate.ConvStateException;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreConfig;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The operator's view of a Redis store, for the CLI's {@code stats} and {@code verify}: what the
 * prefix holds, and whether the servers are set up as convstate needs them ("Operating Redis for
 * convstate" in the README). It opens a {@link RedisStateStore} with the same options, so the
 * same connection checks and credentials apply, and it only reads (opening a store under a new
 * prefix records the prefix's format, as any store does). Thread-safe; close it after use.
 */
public final class RedisAdmin implements AutoCloseable {

  private static final Instant YEAR_ONE = Instant.parse("0001-01-01T00:00:00Z");

  private final RedisStateStore store;
  private final RedisLink link;
  private final RedisKeys keys;
  private final RedisOptions options;

  private final int waitReplicas;

  private RedisAdmin(RedisStateStore store, int waitReplicas) {
    this.store = store;
    this.link = store.link();
    this.keys = store.keys();
    this.options = store.options();
    this.waitReplicas = waitReplicas;
  }

  /**
   * Connects as a store with {@code config} would, but without waiting for replicas (so that
   * {@link #verify} can report a master that has too few of them for {@code wait_replicas}).
   *
   * @throws io.convstate.ConfigurationException for a bad option or a shard count other than the prefix's
   * @throws StorageUnavailableException when Redis cannot be reached
   */
  public static RedisAdmin connect(StoreConfig config) {
    int waitReplicas = new RedisOptions(config).waitReplicas;
    StoreConfig noWait = config.overriddenBy(StoreConfig.of(Map.of(RedisOptions.WAIT_REPLICAS, "0")));
    return new RedisAdmin(new RedisStateStore(noWait, Clock.systemUTC()), waitReplicas);
  }

  /** Where: servers, database, user and prefix; never the password. */
  public String description() {
    return "Redis " + (link.cluster() ? "Cluster" : "server") + " at " + link.description() + ", prefix '"
        + options.prefix + "'";
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
    double oldest = Double.POSITIVE_INFINITY;
    double newest = Double.NEGATIVE_INFINITY;
    for (CompletionStage<List<ScoredValue<byte[]>>> end : ends) {
      for (ScoredValue<byte[]> entry : link.await(end)) {
        oldest = Math.min(oldest, entry.getScore());
        newest = Math.max(newest, entry.getScore());
      }
    }
    return new Summary(conversations,
        conversations == 0 ? null : Instant.ofEpochMilli((long) oldest),
        conversations == 0 ? null : Instant.ofEpochMilli((long) newest),
        servers());
  }

  /**
   * Checks what the README asks of the servers: {@code maxmemory-policy noeviction} and AOF on
   * every master (on the replicas too with {@code wait_replicas}), enough replicas per master for
   * {@code wait_replicas}, a healthy cluster, every server answering, and the user's right to read
   * the store's keys and run its cleanup's reads. Writes nothing.
   *
   * @return each problem with its fix; empty when all is well
   * @throws StorageUnavailableException when Redis cannot be reached
   */
  public List<Finding> verify() {
    List<Finding> findings = new ArrayList<>();
    Map<String, Server> servers = servers();
    for (Map.Entry<String, Server> entry : servers.entrySet()) {
      String address = entry.getKey();
      Server server = entry.getValue();
      if (server.error != null) {
        findings.add(new Finding("Redis at " + address + " did not answer INFO: " + server.error,
            "check that it is up, and that the user may run INFO (ACL: +info)"));
        continue;
      }
      boolean master = server.role.equals("master");
      if (master && !server.policy.equals("noeviction")) {
        findings.add(new Finding("Redis at " + address + " has maxmemory-policy " + server.policy
            + ": when full it may evict conversation state it acknowledged.",
            "redis-cli -h " + host(address) + " -p " + port(address)
                + " CONFIG SET maxmemory-policy noeviction, and maxmemory-policy noeviction in its redis.conf"));
      }
      if ((master || waitReplicas > 0) && !server.aof) {
        findings.add(new Finding("Redis at " + address + " (" + server.role + ") has AOF off: a restart loses"
            + " every turn written since its last snapshot.",
            "redis-cli -h " + host(address) + " -p " + port(address)
                + " CONFIG SET appendonly yes, and appendonly yes in its redis.conf"));
      }
      if (master && server.replicas < waitReplicas) {
        findings.add(new Finding("Redis at " + address + " has " + server.replicas + " connected replica"
            + (server.replicas == 1 ? "" : "s") + " and wait_replicas is " + waitReplicas
            + ": every write to it fails as unavailable.",
            "attach replicas to it, or lower wait_replicas"));
      }
    }
    if (link.cluster()) {
      String state = clusterState();
      if (!state.equals("ok")) {
        findings.add(new Finding("The cluster's state is '" + state + "': some slots have no master that answers.",
            "redis-cli --cluster check " + servers.keySet().iterator().next() + ", then --cluster fix"));
      }
    }
    try {
      store.turn(null, "resp_convstate_verify");
      store.deleteInactiveBefore(YEAR_ONE);
    } catch (StorageUnavailableException e) {
      throw e;
    } catch (ConvStateException e) {
      findings.add(new Finding("Reading the store's keys failed: " + e.getMessage(),
          "give the user reading, writing and scripting on ~" + options.prefix + ":* (see the README's ACL line)"));
    }
    return findings;
  }

  private String clusterState() {
    for (String line : link.await(link.commands().clusterInfo()).split("\r?\n")) {
      if (line.startsWith("cluster_state:")) {
        return line.substring("cluster_state:".length()).strip();
      }
    }
    return "unknown";
  }

  private Map<String, Server> servers() {
    Map<String, Server> servers = new LinkedHashMap<>();
    link.infoByServer("default").forEach((address, info) -> {
      try {
        servers.put(address, Server.parse(link.await(info), options.connection.database()));
      } catch (ConvStateException e) {
        servers.put(address, Server.failed(e.getMessage()));
      }
    });
    return Collections.unmodifiableMap(servers);
  }

  private static String host(String address) {
    return address.substring(0, address.lastIndexOf(':'));
  }

  private static String port(String address) {
    return address.substring(address.lastIndexOf(':') + 1);
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

  /** A problem {@link #verify} found, and the command or change that fixes it. Immutable. */
  public static final class Finding {
    private final String problem;
    private final String fix;

    Finding(String problem, String fix) {
      this.problem = problem;
      this.fix = fix;
    }

    public String problem() {
      return problem;
    }

    public String fix() {
      return fix;
    }

    @Override
    public String toString() {
      return problem + " Fix: " + fix;
    }
  }
}
