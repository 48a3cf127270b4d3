package io.convstate.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One Redis server: one connection shared by every thread, and with {@code wait_replicas} a second
 * one for writes, so that a {@code WAIT} (which holds its connection until replicas answer) never
 * delays a read.
 */
final class StandaloneLink extends RedisLink {

  private final RedisClient client;
  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final StatefulRedisConnection<byte[], byte[]> writes;

  StandaloneLink(RedisOptions options) {
    super(options);
    client = RedisClient.create(resources, uris().get(0));
    client.setOptions(configure(ClientOptions.builder(), ClientOptions.DisconnectedBehavior.REJECT_COMMANDS).build());
    List<StatefulRedisConnection<byte[], byte[]>> both = connectShared(client, () -> client.connect(ByteArrayCodec.INSTANCE));
    connection = both.get(0);
    writes = both.get(1);
  }

  /** Whether the server runs in cluster mode ({@code INFO cluster}). */
  boolean clusterEnabled() {
    return await(connection.async().info("cluster")).contains("cluster_enabled:1");
  }

  @Override
  Map<String, CompletionStage<String>> askEachServer(
      Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletionStage<String>> question) {
    RedisURI uri = uris().get(0);
    return Map.of(uri.getHost() + ":" + uri.getPort(), question.apply(connection.async()));
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
    return command.apply(writes.async()).thenCompose(result -> writes.async()
        .waitForReplication(options.waitReplicas, options.waitTimeout.toMillis())
        .thenApply(acknowledged -> requireReplicas(result, acknowledged)));
  }

  @Override
  boolean cluster() {
    return false;
  }

  @Override
  public void close() {
    closeShared(client, connection, writes);
  }
}
