package io.convstate.redis;

import io.convstate.ConvStateException;
import io.convstate.StorageUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A Redis Cluster: commands go to the master of their key's slot, and Lettuce follows
 * redirects. The topology is refreshed periodically ({@code cluster.refresh_period}) and at once
 * on redirects, reconnects and failovers (adaptive triggers), so the store finds a promoted
 * replica by itself.
 *
 * <p>With {@code wait_replicas}, a write and its {@code WAIT} go on one connection to the slot's
 * master (WAIT counts the writes of its own connection), taken from a second cluster connection so
 * that reads are never held behind a WAIT. Such a write is not redirected: a redirect fails it as
 * unavailable and refreshes the topology, and a retry goes to the new master.
 */
final class ClusterLink extends RedisLink {

  private final RedisClusterClient client;
  private final StatefulRedisClusterConnection<byte[], byte[]> connection;
  private final StatefulRedisClusterConnection<byte[], byte[]> writes;

  ClusterLink(RedisOptions options) {
    super(options);
    client = RedisClusterClient.create(resources, uris());
    client.setOptions(configure(ClusterClientOptions.builder(), ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enablePeriodicRefresh(options.clusterRefreshPeriod)
            .enableAllAdaptiveRefreshTriggers()
            .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
            .refreshTriggersReconnectAttempts(3)
            .closeStaleConnections(true)
            .build())
        .build());
    List<StatefulRedisClusterConnection<byte[], byte[]>> both = connectShared(client, () -> client.connect(ByteArrayCodec.INSTANCE));
    connection = both.get(0);
    writes = both.get(1);
  }

  @Override
  Map<String, CompletionStage<String>> askEachServer(
      Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletionStage<String>> question) {
    Map<String, CompletionStage<String>> answers = new TreeMap<>();
    for (RedisClusterNode node : connection.getPartitions()) {
      answers.put(node.getUri().getHost() + ":" + node.getUri().getPort(),
          connection.getConnectionAsync(node.getNodeId()).thenCompose(server -> question.apply(server.async())));
    }
    return answers;
  }

  @Override
  RedisClusterAsyncCommands<byte[], byte[]> commands() {
    return connection.async();
  }

  @Override
  <T> CompletionStage<T> write(
      byte[] routingKey, Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletionStage<T>> command) {
    if (options.waitReplicas == 0) {
      return command.apply(connection.async());
    }
    int slot = SlotHash.getSlot(routingKey);
    RedisClusterNode master = writes.getPartitions().getMasterBySlot(slot);
    if (master == null) {
      client.refreshPartitionsAsync();
      return CompletableFuture.failedFuture(new StorageUnavailableException(
          "Redis Cluster at " + description() + " has no master for slot " + slot + " right now", null));
    }
    return writes.getConnectionAsync(master.getNodeId())
        .thenCompose(node -> command.apply(node.async())
            .thenCompose(result -> node.async()
                .waitForReplication(options.waitReplicas, options.waitTimeout.toMillis())
                .thenApply(acknowledged -> requireReplicas(result, acknowledged))))
        .whenComplete((result, failure) -> {
          // A redirect or a lost node: the view of the cluster is out of date.
          if (failure != null && !(RedisErrors.unwrap(failure) instanceof ConvStateException)) {
            client.refreshPartitionsAsync();
          }
        });
  }

  @Override
  boolean cluster() {
    return true;
  }

  @Override
  public void close() {
    closeShared(client, connection, writes);
  }
}
