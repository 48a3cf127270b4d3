package io.convstate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.InputItems;
import io.convstate.StateNotFoundException;
import io.convstate.StateStore;
import io.convstate.StorageException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A master of the test cluster killed with SIGKILL under load, and its replica promoted: how many
 * acknowledged recordings are lost, without and with {@code wait_replicas=1}. Each run prints its
 * figures ("FAILOVER ...") for the README. Two kinds of failover: the replica up to date (the
 * common case), and the replica lagging (stopped with SIGSTOP for a moment, as a slow or
 * partitioned replica is), when asynchronous replication loses what the master acknowledged.
 */
@DisplayName("A failover of a cluster master under load")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisFailoverTest {

  /** Each turn carries this much output, so that a lagging replica falls behind by megabytes. */
  private static final String OUTPUT = "[{\"type\":\"function_call_output\",\"call_id\":\"c\",\"output\":\""
      + "x".repeat(32 * 1024) + "\"}]";

  @AfterAll
  static void clusterHealthy() throws Exception {
    ClusterControl.awaitHealthy();
  }

  @Nested
  @DisplayName("with the replica up to date")
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  class UpToDate {

    @Test
    @Order(1)
    @DisplayName("without wait_replicas: the store fails over by itself; the acknowledged turns lost are counted")
    void withoutWait() throws Exception {
      Figures figures = run("0", false);
      assertThat(figures.acknowledged).as("acknowledged recordings").isGreaterThan(100);
      assertThat(figures.afterFailover).as("recordings acknowledged after the failover").isGreaterThan(0);
    }

    @Test
    @Order(2)
    @DisplayName("with wait_replicas=1: no acknowledged turn is lost")
    void withWait() throws Exception {
      Figures figures = run("1", false);
      assertThat(figures.acknowledged).as("acknowledged recordings").isGreaterThan(100);
      assertThat(figures.lost).as("acknowledged turns lost").isZero();
    }
  }

  @Nested
  @DisplayName("with the replica lagging when the master dies")
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  class Lagging {

    @Test
    @Order(1)
    @DisplayName("without wait_replicas: the store fails over by itself; the acknowledged turns lost are counted")
    void withoutWait() throws Exception {
      Figures figures = run("0", true);
      assertThat(figures.acknowledged).as("acknowledged recordings").isGreaterThan(100);
      assertThat(figures.afterFailover).as("recordings acknowledged after the failover").isGreaterThan(0);
    }

    @Test
    @Order(2)
    @DisplayName("with wait_replicas=1: writes the lagging replica did not acknowledge fail as unavailable, and none acknowledged is lost")
    void withWait() throws Exception {
      Figures figures = run("1", true);
      assertThat(figures.acknowledged).as("acknowledged recordings").isGreaterThan(100);
      assertThat(figures.unavailable).as("writes refused while the replica lagged").isGreaterThan(0);
      assertThat(figures.lost).as("acknowledged turns lost").isZero();
    }
  }

  /** What one run counted. */
  private static final class Figures {
    int acknowledged;
    int afterFailover;
    int unavailable;
    int lost;
  }

  /**
   * Writers record conversations of 5 turns on 4 threads; after 1.5 s the master of slot 0 is
   * killed (its replica first stopped for 3 s when lagging), then its replica is promoted and the
   * killed node started again, rejoining as a replica; the writers go on until 200 more turns are
   * recorded; then every acknowledged turn is read back whole.
   */
  private static Figures run(String waitReplicas, boolean lagging) throws Exception {
    String prefix = TestRedis.uniquePrefix("failover");
    Map<String, String> options = TestRedis.options(TestRedis.clusterUrl(), prefix, "wait_replicas", waitReplicas,
        "wait_timeout", "500ms", "command_timeout", "2s", "connect_timeout", "500ms");
    ClusterControl.Node master = ClusterControl.masterOfSlotZero();
    Figures figures = new Figures();
    Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger unavailable = new AtomicInteger();
    AtomicInteger afterFailover = new AtomicInteger();
    AtomicBoolean failedOver = new AtomicBoolean();
    AtomicBoolean running = new AtomicBoolean(true);
    long started = System.nanoTime();
    try (StateStore store = new RedisStateStore(StoreConfig.of(options), Clock.systemUTC())) {
      ExecutorService writers = Executors.newFixedThreadPool(4);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        futures.add(writers.submit(() -> {
          String previous = null;
          int length = 0;
          for (int i = 0; running.get() && i < 200_000; i++) {
            String id = "resp_" + waitReplicas + (lagging ? "l" : "u") + "_" + thread + "_" + i;
            try {
              store.record(Turn.builder(id).previousResponseId(previous).model("m").provider("p").createdAt(1)
                  .input(InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":\"" + id + "\"}]"))
                  .output(InputItems.parse(OUTPUT)).build());
              length++;
              acknowledged.put(id, length);
              if (failedOver.get()) {
                afterFailover.incrementAndGet();
              }
              previous = length == 5 ? null : id;
              length = previous == null ? 0 : length;
            } catch (StorageException e) {
              unavailable.incrementAndGet();
              previous = null;
              length = 0;
            } catch (StateNotFoundException e) {
              previous = null; // the previous turn was lost in the failover
              length = 0;
            }
          }
          return null;
        }));
      }
      Thread.sleep(1_500);
      if (lagging) {
        // Long enough to write more than the kernel's socket buffers hold (about 10 MB on loopback).
        TestRedis.control("pause", Integer.toString(master.replicaPort));
        Thread.sleep(3_000);
      }
      int beforeKill = acknowledged.size();
      TestRedis.control("kill", Integer.toString(master.port));
      if (lagging) {
        TestRedis.control("resume", Integer.toString(master.replicaPort));
      }
      ClusterControl.awaitPromoted(master);
      failedOver.set(true);
      // As an operator would: the dead node comes back, as a replica of the promoted one.
      ClusterControl.restart(master);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (afterFailover.get() < 200 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      running.set(false);
      for (Future<?> future : futures) {
        future.get(60, TimeUnit.SECONDS);
      }
      writers.shutdown();
      for (Map.Entry<String, Integer> turn : acknowledged.entrySet()) {
        if (!readsWhole(store, turn.getKey(), turn.getValue())) {
          figures.lost++;
        }
      }
      figures.acknowledged = acknowledged.size();
      figures.afterFailover = afterFailover.get();
      figures.unavailable = unavailable.get();
      System.out.printf("FAILOVER %s replica, wait_replicas=%s: %d recordings acknowledged (%d before the kill, %d after"
              + " the promotion), %d failed as unavailable, %d acknowledged turns lost, %.1f s%n",
          lagging ? "lagging" : "up-to-date", waitReplicas, figures.acknowledged, beforeKill, figures.afterFailover,
          figures.unavailable, figures.lost, (System.nanoTime() - started) / 1e9);
    } finally {
      running.set(false);
      ClusterControl.startIfDown(master);
      TestRedis.deleteKeys(TestRedis.clusterUrl(), prefix);
    }
    return figures;
  }

  /** Whether an acknowledged turn reads back with its whole history, retrying while the store recovers. */
  private static boolean readsWhole(StateStore store, String id, int length) throws InterruptedException {
    for (int attempt = 0; ; attempt++) {
      try {
        Optional<io.convstate.History> history = store.history(null, id);
        return history.isPresent() && history.get().size() == length;
      } catch (StorageException e) {
        if (attempt > 100) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  /** The test cluster's nodes, through Lettuce and TEST_REDIS_CONTROL. */
  static final class ClusterControl {

    /** A master and its replica, by port. */
    static final class Node {
      final String nodeId;
      final int port;
      final String replicaId;
      final int replicaPort;

      Node(String nodeId, int port, String replicaId, int replicaPort) {
        this.nodeId = nodeId;
        this.port = port;
        this.replicaId = replicaId;
        this.replicaPort = replicaPort;
      }
    }

    static Node masterOfSlotZero() {
      Partitions partitions = partitions();
      RedisClusterNode master = partitions.getMasterBySlot(0);
      for (RedisClusterNode node : partitions) {
        if (master.getNodeId().equals(node.getSlaveOf()) && node.isConnected()) {
          return new Node(master.getNodeId(), master.getUri().getPort(), node.getNodeId(), node.getUri().getPort());
        }
      }
      throw new AssertionError("the master of slot 0 has no connected replica: " + partitions);
    }

    /** Waits until the replica serves slot 0 as master and the cluster is ok again. */
    static void awaitPromoted(Node node) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline) {
        try {
          RedisClusterNode master = partitions(node.replicaPort).getMasterBySlot(0);
          if (master != null && master.getNodeId().equals(node.replicaId) && clusterOk(node.replicaPort)) {
            return;
          }
        } catch (RuntimeException e) {
          // the node is still busy or not reachable yet
        }
        Thread.sleep(100);
      }
      throw new AssertionError("the replica on port " + node.replicaPort + " was not promoted within 30 s");
    }

    /** Starts the node if it does not answer (a run that failed before restarting it). */
    static void startIfDown(Node node) throws Exception {
      try {
        clusterOk(node.port);
      } catch (RuntimeException e) {
        restart(node);
      }
    }

    /** Starts the killed node again and waits until it has rejoined as a replica. */
    static void restart(Node node) throws Exception {
      TestRedis.control("start", Integer.toString(node.port));
      awaitHealthy();
    }

    /** Waits until every slot is served, every node is up and each master has a replica. */
    static void awaitHealthy() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      String last = "";
      while (System.nanoTime() < deadline) {
        try {
          Partitions partitions = partitions();
          int masters = 0;
          int replicas = 0;
          for (RedisClusterNode node : partitions) {
            if (node.isConnected() && !node.is(RedisClusterNode.NodeFlag.FAIL) && !node.is(RedisClusterNode.NodeFlag.EVENTUAL_FAIL)) {
              if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && !node.getSlots().isEmpty()) {
                masters++;
              } else if (node.is(RedisClusterNode.NodeFlag.REPLICA) && replicating(node.getUri().getPort())) {
                replicas++;
              }
            }
          }
          last = masters + " masters, " + replicas + " replicas";
          if (masters == 3 && replicas == 3 && clusterOk(partitions.getPartition(0).getUri().getPort())) {
            return;
          }
        } catch (RuntimeException e) {
          last = e.toString();
        }
        Thread.sleep(200);
      }
      throw new AssertionError("the test cluster did not become healthy within 60 s: " + last);
    }

    /** Whether a replica has finished its sync and follows its master's stream. */
    private static boolean replicating(int port) {
      io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:" + port);
      try (io.lettuce.core.api.StatefulRedisConnection<String, String> connection = client.connect()) {
        String replication = connection.sync().info("replication");
        return replication.contains("master_link_status:up") && replication.contains("master_sync_in_progress:0");
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }

    private static boolean clusterOk(int port) {
      io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:" + port);
      try (io.lettuce.core.api.StatefulRedisConnection<String, String> connection = client.connect()) {
        return connection.sync().clusterInfo().contains("cluster_state:ok");
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }

    private static Partitions partitions() {
      RedisClusterClient client = RedisClusterClient.create(TestRedis.seeds(TestRedis.clusterUrl()));
      try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
        return connection.getPartitions();
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }

    /** The cluster as one node sees it. */
    private static Partitions partitions(int port) {
      io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:" + port);
      try (io.lettuce.core.api.StatefulRedisConnection<String, String> connection = client.connect()) {
        return io.lettuce.core.cluster.models.partitions.ClusterPartitionParser.parse(connection.sync().clusterNodes());
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }
}
