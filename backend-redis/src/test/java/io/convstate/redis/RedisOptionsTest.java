package io.convstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.ConfigurationException;
import io.convstate.StoreConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Options are checked before anything connects")
class RedisOptionsTest {

  private static RedisOptions options(String... pairs) {
    Map<String, String> map = new HashMap<>(Map.of("type", "redis", "connection_string", "redis://h"));
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return new RedisOptions(StoreConfig.of(map));
  }

  private static void refused(String message, String... pairs) {
    assertThatThrownBy(() -> options(pairs)).isInstanceOf(ConfigurationException.class).hasMessageContaining(message);
  }

  @Test
  @DisplayName("defaults: auto mode, prefix convstate, 1024 shards, no retention, 5 s timeouts, no WAIT")
  void defaults() {
    RedisOptions options = options();
    assertThat(options.mode).isEqualTo(RedisOptions.Mode.AUTO);
    assertThat(options.prefix).isEqualTo("convstate");
    assertThat(options.shards).isEqualTo(1024);
    assertThat(options.retention).isNull();
    assertThat(options.commandTimeout).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.connectTimeout).isEqualTo(Duration.ofSeconds(5));
    assertThat(options.waitReplicas).isZero();
    assertThat(options(" connection_string".strip(), "redis://a,b").mode).isEqualTo(RedisOptions.Mode.CLUSTER);
    assertThat(options("retention", "7d").retentionMillis()).isEqualTo(Duration.ofDays(7).toMillis());
  }

  @Test
  @DisplayName("conflicting settings fail naming both: wait_timeout not under command_timeout, cluster=false with seeds, a database on a cluster, TLS options on redis://")
  void conflicts() {
    refused("'wait_timeout' (PT5S) must be shorter than option 'command_timeout' (PT5S)", "wait_replicas", "1", "wait_timeout", "5s");
    refused("names 2 hosts", "cluster", "false", "connection_string", "redis://a,b");
    refused("database 2", "cluster", "true", "connection_string", "redis://a/2");
    refused("rediss:// only", "tls.verify", "none");
  }

  @Test
  @DisplayName("bad values name their option: prefix with braces, shards not a power of two, a retention under 1 s, max_items_bytes over 512 MiB")
  void badValues() {
    refused("'prefix'", "prefix", "app{1}");
    refused("'prefix'", "prefix", "has space");
    refused("'shards'", "shards", "1000");
    refused("'retention'", "retention", "500ms");
    refused("'cluster'", "cluster", "maybe");
    refused("'tls.verify'", "connection_string", "rediss://h", "tls.verify", "some");
    refused("'command_timeout'", "command_timeout", "1ms");
    refused("512 MiB", "max_items_bytes", "1GiB");
  }
}
