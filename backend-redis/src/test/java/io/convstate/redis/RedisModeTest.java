package io.convstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.ConfigurationException;
import io.convstate.InputItems;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The store finds out whether it talks to a Redis Cluster, and checks its prefix")
class RedisModeTest {

  private final String prefix = TestRedis.uniquePrefix("mode");

  @AfterEach
  void deleteKeys() {
    TestRedis.deleteKeys(TestRedis.standaloneUrl(), prefix);
    TestRedis.deleteKeys(TestRedis.clusterUrl(), prefix);
  }

  @Test
  @DisplayName("one host of a cluster, cluster=auto: the store works as a cluster client; a standalone host stays standalone")
  void detectsCluster() {
    String oneNode = TestRedis.clusterUrl().replaceAll(",.*", "");
    try (RedisStateStore store = open(oneNode)) {
      assertThat(store.isCluster()).isTrue();
      for (int i = 0; i < 20; i++) {
        store.record(Turn.builder("resp_mode_" + i).model("m").provider("p").input(InputItems.parse("[{\"n\":" + i + "}]")).build());
      }
      assertThat(store.turn(null, "resp_mode_19")).isPresent();
      assertThat(store.toString()).contains("cluster");
    }
    try (RedisStateStore store = open(TestRedis.standaloneUrl())) {
      assertThat(store.isCluster()).isFalse();
    }
  }

  @Test
  @DisplayName("a prefix written with one shard count refuses another, naming both")
  void shardCountIsFixed() {
    open(TestRedis.standaloneUrl()).close();
    assertThatThrownBy(() -> new RedisStateStore(StoreConfig.of(TestRedis.options(TestRedis.standaloneUrl(), prefix,
        "shards", "64")), Clock.systemUTC()))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("shards=1024").hasMessageContaining("'shards' is 64");
  }

  @Test
  @DisplayName("no server on the port: opening fails as unavailable, naming the server")
  void nothingListening() {
    assertThatThrownBy(() -> new RedisStateStore(StoreConfig.of(TestRedis.options("redis://127.0.0.1:1", prefix,
        "connect_timeout", "500ms")), Clock.systemUTC()))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("127.0.0.1:1");
  }

  private RedisStateStore open(String url) {
    return new RedisStateStore(StoreConfig.of(TestRedis.options(url, prefix)), Clock.systemUTC());
  }
}
