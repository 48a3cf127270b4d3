package io.convstate.redis;

import io.convstate.StorageUnavailableException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The store's connections to Redis, standalone ({@link StandaloneLink}) or Redis Cluster
 * ({@link ClusterLink}), behind one interface: routed commands, and writes that wait for replicas
 * when {@code wait_replicas} asks for it. Lettuce reconnects by itself; while it is disconnected,
 * a standalone store's commands fail at once and a cluster's within {@code command_timeout}.
 *
 * <p>Thread-safe: Lettuce connections are shared by every thread.
 */
abstract class RedisLink implements AutoCloseable {

  final RedisOptions options;
  final ClientResources resources;

  RedisLink(RedisOptions options) {
    this.options = options;
    // Reconnect attempts back off to 2 s at most (Lettuce's default is 30 s): a store is usable
    // again within about 2 s of its server coming back.
    this.resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        .reconnectDelay(Delay.equalJitter(Duration.ofMillis(20), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
        .build();
  }

  /**
   * Connects as the options say; in mode auto, asks the one server whether it runs in cluster mode.
   *
   * @throws StorageUnavailableException when no server can be reached
   */
  static RedisLink open(RedisOptions options) {
    switch (options.mode) {
      case CLUSTER:
        return new ClusterLink(options);
      case STANDALONE:
        return new StandaloneLink(options);
      default:
        StandaloneLink standalone = new StandaloneLink(options);
        boolean clusterEnabled;
        try {
          clusterEnabled = askClusterEnabled(standalone, options);
        } catch (RuntimeException e) {
          standalone.close();
          throw e;
        }
        if (!clusterEnabled) {
          return standalone;
        }
        standalone.close();
        return new ClusterLink(options);
    }
  }

  /**
   * {@link StandaloneLink#clusterEnabled()}, asked again while the connection just made is down
   * (a server dropping it in the instant after the handshake reconnects by itself), for at most
   * {@code connect_timeout}.
   */
  private static boolean askClusterEnabled(StandaloneLink standalone, RedisOptions options) {
    long deadline = System.nanoTime() + options.connectTimeout.toNanos();
    while (true) {
      try {
        return standalone.clusterEnabled();
      } catch (StorageUnavailableException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** Commands routed by key (in a cluster, to the master of the key's slot). */
  abstract RedisClusterAsyncCommands<byte[], byte[]> commands();

  /**
   * Runs a write on the master of {@code routingKey}'s slot; with {@code wait_replicas}, then
   * waits for that many of its replicas to acknowledge it.
   *
   * @return the write's result; completes with {@link StorageUnavailableException} when fewer
   *     replicas acknowledged within {@code wait_timeout}
   */
  abstract <T> CompletionStage<T> write(
      byte[] routingKey, Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletionStage<T>> command);

  /** Whether this is a Redis Cluster. */
  abstract boolean cluster();

  /**
   * Asks every server a question (INFO, CLUSTER INFO): the standalone server, or each node of the
   * cluster (masters and replicas) as the store last saw the topology.
   *
   * @return each server's {@code host:port} (sorted) and its answer, or the failure of that call
   */
  abstract Map<String, CompletionStage<String>> askEachServer(
      Function<RedisClusterAsyncCommands<byte[], byte[]>, CompletionStage<String>> question);

  @Override
  public abstract void close();

  /** Hosts, database and user, without the password. */
  final String description() {
    return options.connection.description();
  }

  /** Fails a write whose replicas did not all acknowledge it in time. */
  final <T> T requireReplicas(T result, Long acknowledged) {
    if (acknowledged == null || acknowledged < options.waitReplicas) {
      throw new StorageUnavailableException("Redis at " + description() + " applied a write, but only "
          + acknowledged + " of the " + options.waitReplicas + " replicas asked for (option wait_replicas) acknowledged"
          + " it within " + options.waitTimeout + " (option wait_timeout); it may or may not survive a failover", null);
    }
    return result;
  }

  final List<RedisURI> uris() {
    RedisConnectionString connection = options.connection;
    return connection.endpoints().stream().map(endpoint -> {
      RedisURI.Builder uri = RedisURI.builder()
          .withHost(endpoint.host)
          .withPort(endpoint.port)
          .withDatabase(connection.database())
          .withTimeout(options.commandTimeout)
          .withClientName("convstate")
          .withSsl(connection.tls());
      if (connection.tls()) {
        uri.withVerifyPeer(options.tlsVerify == RedisOptions.Verify.FULL ? SslVerifyMode.FULL
            : options.tlsVerify == RedisOptions.Verify.CA ? SslVerifyMode.CA : SslVerifyMode.NONE);
      }
      if (connection.password() != null) {
        if (connection.user() != null) {
          uri.withAuthentication(connection.user(), connection.password().toCharArray());
        } else {
          uri.withPassword(connection.password().toCharArray());
        }
      } else if (connection.user() != null) {
        uri.withAuthentication(connection.user(), new char[0]);
      }
      return uri.build();
    }).collect(Collectors.toList());
  }

  /**
   * Options both kinds of client share; a cluster client adds its topology refresh.
   *
   * @param whileDisconnected what a command does while its connection is down: a standalone
   *     client rejects it at once; a cluster client, whose node connections open lazily on first
   *     use, queues it until the connection is up or command_timeout passes
   */
  final <B extends ClientOptions.Builder> B configure(B builder, ClientOptions.DisconnectedBehavior whileDisconnected) {
    builder.autoReconnect(true)
        .disconnectedBehavior(whileDisconnected)
        .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout))
        .socketOptions(SocketOptions.builder().connectTimeout(options.connectTimeout).keepAlive(true).tcpNoDelay(true).build());
    if (options.tlsCaFile != null) {
      builder.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(options.tlsCaFile).build());
    }
    return builder;
  }

  /**
   * Waits for a call: the per-command timeout of Lettuce fires first; this bound only guards
   * against a call that never completes.
   */
  final <T> T await(CompletionStage<T> stage) {
    long bound = options.commandTimeout.multipliedBy(3).plus(options.waitTimeout).plusSeconds(1).toMillis();
    try {
      return stage.toCompletableFuture().get(bound, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw RedisErrors.translate(e, description(), options);
    } catch (TimeoutException e) {
      throw new StorageUnavailableException("Redis at " + description() + " did not complete a call within "
          + bound + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageUnavailableException("Interrupted while waiting for Redis at " + description(), e);
    }
  }

  final void shutdownResources() {
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  /** Closes what {@link #connectShared} opened, then the client and the resources. */
  final void closeShared(AbstractRedisClient client, StatefulConnection<byte[], byte[]> shared,
      StatefulConnection<byte[], byte[]> writes) {
    if (writes != shared) {
      writes.close();
    }
    shared.close();
    client.shutdown();
    shutdownResources();
  }

  /**
   * Opens the connection every thread shares and, with {@code wait_replicas}, a second one for
   * writes (else the same one twice). If either fails, closes what was opened, shuts the client
   * and the resources down and throws the translated failure.
   *
   * @return the shared connection, then the one for writes
   */
  final <C extends StatefulConnection<byte[], byte[]>> List<C> connectShared(
      AbstractRedisClient client, Supplier<C> connect) {
    C shared = null;
    try {
      shared = connect.get();
      return List.of(shared, options.waitReplicas > 0 ? connect.get() : shared);
    } catch (RuntimeException e) {
      if (shared != null) {
        shared.close();
      }
      client.shutdown();
      shutdownResources();
      throw RedisErrors.translate(e, description(), options);
    }
  }
}
