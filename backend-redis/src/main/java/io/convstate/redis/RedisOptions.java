package io.convstate.redis;

import io.convstate.ConfigurationException;
import io.convstate.StoreConfig;
import java.io.File;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The redis store's options, read and checked from a {@link StoreConfig}. Immutable.
 *
 * <table>
 *   <caption>Options</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>connection_string</td><td>(required)</td><td>{@code redis://[user:password@]host[:port][,host[:port]...][/db]},
 *       {@code rediss://} for TLS; see {@link RedisConnectionString}</td></tr>
 *   <tr><td>user, password</td><td>from the string</td><td>override the string's credentials (ACL user)</td></tr>
 *   <tr><td>cluster</td><td>auto</td><td>{@code auto}: Redis Cluster when several hosts are given or the one host
 *       has cluster mode enabled; {@code true}; {@code false}</td></tr>
 *   <tr><td>prefix</td><td>convstate</td><td>first part of every key; several stores may share a server under
 *       different prefixes</td></tr>
 *   <tr><td>shards</td><td>1024</td><td>activity index shards (a power of two up to 16384); fixed once data is
 *       written under the prefix</td></tr>
 *   <tr><td>retention</td><td>(off)</td><td>TTL of a conversation after its latest recording; off keeps
 *       conversations until deleted or cleaned up</td></tr>
 *   <tr><td>connect_timeout</td><td>5s</td><td>TCP connect (and TLS handshake) timeout</td></tr>
 *   <tr><td>command_timeout</td><td>5s</td><td>a call fails as unavailable when Redis has not answered by then</td></tr>
 *   <tr><td>wait_replicas</td><td>0</td><td>after each write, {@code WAIT} for this many replicas; fewer in time fails
 *       the call as unavailable</td></tr>
 *   <tr><td>wait_timeout</td><td>1s</td><td>how long {@code WAIT} waits; less than command_timeout</td></tr>
 *   <tr><td>cluster.refresh_period</td><td>30s</td><td>periodic topology refresh (besides the adaptive one on
 *       redirects and reconnects)</td></tr>
 *   <tr><td>tls.verify</td><td>full</td><td>{@code full} (certificate and host name), {@code ca} (certificate only),
 *       {@code none}</td></tr>
 *   <tr><td>tls.ca_file</td><td>(the JVM's trust store)</td><td>PEM file of the certificates to trust</td></tr>
 * </table>
 */
final class RedisOptions {

  static final String CONNECTION_STRING = "connection_string";
  static final String USER = "user";
  static final String PASSWORD = "password";
  static final String CLUSTER = "cluster";
  static final String PREFIX = "prefix";
  static final String SHARDS = "shards";
  static final String RETENTION = "retention";
  static final String CONNECT_TIMEOUT = "connect_timeout";
  static final String COMMAND_TIMEOUT = "command_timeout";
  static final String WAIT_REPLICAS = "wait_replicas";
  static final String WAIT_TIMEOUT = "wait_timeout";
  static final String CLUSTER_REFRESH_PERIOD = "cluster.refresh_period";
  static final String TLS_VERIFY = "tls.verify";
  static final String TLS_CA_FILE = "tls.ca_file";

  static final Set<String> KEYS = Set.of(
      CONNECTION_STRING, USER, PASSWORD, CLUSTER, PREFIX, SHARDS, RETENTION, CONNECT_TIMEOUT, COMMAND_TIMEOUT,
      WAIT_REPLICAS, WAIT_TIMEOUT, CLUSTER_REFRESH_PERIOD, TLS_VERIFY, TLS_CA_FILE);

  /** Redis refuses a bulk string over 512 MB ({@code proto-max-bulk-len}). */
  static final long MAX_ITEMS_BYTES_LIMIT = 512L << 20;

  /** How the store finds out whether it talks to a Redis Cluster. */
  enum Mode { AUTO, CLUSTER, STANDALONE }

  /** What TLS verifies of the server. */
  enum Verify { FULL, CA, NONE }

  final RedisConnectionString connection;
  final Mode mode;
  final String prefix;
  final int shards;
  final Duration retention;
  final Duration connectTimeout;
  final Duration commandTimeout;
  final int waitReplicas;
  final Duration waitTimeout;
  final Duration clusterRefreshPeriod;
  final Verify tlsVerify;
  final File tlsCaFile;
  final long maxItemsBytes;

  RedisOptions(StoreConfig config) {
    connection = RedisConnectionString.parse(
        config.require(CONNECTION_STRING), config.get(USER).orElse(null), config.get(PASSWORD).orElse(null));
    String cluster = config.get(CLUSTER).orElse("auto").strip().toLowerCase(Locale.ROOT);
    switch (cluster) {
      case "auto":
        mode = connection.endpoints().size() > 1 ? Mode.CLUSTER : Mode.AUTO;
        break;
      case "true":
        mode = Mode.CLUSTER;
        break;
      case "false":
        mode = Mode.STANDALONE;
        break;
      default:
        throw new ConfigurationException("Option 'cluster' is '" + cluster + "'; expected auto, true or false");
    }
    if (mode == Mode.STANDALONE && connection.endpoints().size() > 1) {
      throw new ConfigurationException("Option 'cluster' is false, but option 'connection_string' names "
          + connection.endpoints().size() + " hosts; a standalone server is one host (several hosts are a cluster's seeds)");
    }
    if (mode == Mode.CLUSTER && connection.database() != 0) {
      throw new ConfigurationException("Option 'connection_string' selects database " + connection.database()
          + ", but a Redis Cluster has database 0 only");
    }
    prefix = config.get(PREFIX).orElse("convstate").strip();
    if (prefix.isEmpty() || prefix.length() > 100 || !prefix.matches("[\\x21-\\x7E]+") || prefix.indexOf('{') >= 0
        || prefix.indexOf('}') >= 0) {
      throw new ConfigurationException("Option 'prefix' is '" + prefix + "'; expected 1 to 100 printable ASCII"
          + " characters without spaces, '{' or '}' (braces would change the keys' cluster slots)");
    }
    shards = config.intValue(SHARDS, 1024, 1, Shards.SLOTS);
    if (Integer.bitCount(shards) != 1) {
      throw new ConfigurationException("Option 'shards' is " + shards + "; expected a power of two from 1 to 16384");
    }
    retention = config.duration(RETENTION, null);
    if (retention != null && retention.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigurationException("Option 'retention' is " + retention
          + "; it must be at least 1s, or left out to keep conversations until deleted");
    }
    connectTimeout = within(config, CONNECT_TIMEOUT, Duration.ofSeconds(5));
    commandTimeout = within(config, COMMAND_TIMEOUT, Duration.ofSeconds(5));
    waitReplicas = config.intValue(WAIT_REPLICAS, 0, 0, 100);
    waitTimeout = within(config, WAIT_TIMEOUT, Duration.ofSeconds(1));
    if (waitReplicas > 0 && waitTimeout.compareTo(commandTimeout) >= 0) {
      throw new ConfigurationException("Option 'wait_timeout' (" + waitTimeout + ") must be shorter than option"
          + " 'command_timeout' (" + commandTimeout + "), or every write would time out before WAIT answers");
    }
    clusterRefreshPeriod = within(config, CLUSTER_REFRESH_PERIOD, Duration.ofSeconds(30));
    String verify = config.get(TLS_VERIFY).orElse("full").strip().toLowerCase(Locale.ROOT);
    switch (verify) {
      case "full":
        tlsVerify = Verify.FULL;
        break;
      case "ca":
        tlsVerify = Verify.CA;
        break;
      case "none":
        tlsVerify = Verify.NONE;
        break;
      default:
        throw new ConfigurationException("Option 'tls.verify' is '" + verify + "'; expected full, ca or none");
    }
    tlsCaFile = config.get(TLS_CA_FILE).map(String::strip).map(File::new).orElse(null);
    if (tlsCaFile != null && !tlsCaFile.canRead()) {
      throw new ConfigurationException("Option 'tls.ca_file' names " + tlsCaFile + ", which cannot be read");
    }
    if ((config.get(TLS_VERIFY).isPresent() || tlsCaFile != null) && !connection.tls()) {
      throw new ConfigurationException("Options 'tls.verify' and 'tls.ca_file' apply to rediss:// only, and option"
          + " 'connection_string' starts with redis://");
    }
    maxItemsBytes = config.maxItemsBytes();
    if (maxItemsBytes > MAX_ITEMS_BYTES_LIMIT) {
      throw new ConfigurationException("Option 'max_items_bytes' is " + maxItemsBytes + "; the redis store takes at most "
          + MAX_ITEMS_BYTES_LIMIT + " (512 MiB), the largest value Redis stores");
    }
  }

  /** The retention in milliseconds, 0 when off. */
  long retentionMillis() {
    return retention == null ? 0 : retention.toMillis();
  }

  private static Duration within(StoreConfig config, String key, Duration defaultValue) {
    Duration value = config.duration(key, defaultValue);
    if (value.compareTo(Duration.ofMillis(10)) < 0 || value.compareTo(Duration.ofHours(1)) > 0) {
      throw new ConfigurationException("Option '" + key + "' is " + value + "; it must be from 10ms to 1h");
    }
    return value;
  }
}
