package io.convstate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.InputItems;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Retention as a real TTL of one second, on the standalone server. */
@DisplayName("Retention is a TTL: a conversation expires whole after its last recording")
class RedisRetentionTest {

  private final String prefix = TestRedis.uniquePrefix("retention");

  @AfterEach
  void deleteKeys() {
    TestRedis.deleteKeys(TestRedis.standaloneUrl(), prefix);
  }

  /** A store with one shard, so that every conversation shares one activity index. */
  private RedisStateStore open() {
    return new RedisStateStore(StoreConfig.of(TestRedis.options(TestRedis.standaloneUrl(), prefix, "retention", "1s",
        "shards", "1")), Clock.systemUTC());
  }

  @Test
  @DisplayName("recording refreshes the whole conversation; a second without one removes every turn, forks included")
  void expiresTogether() throws Exception {
    try (RedisStateStore store = open()) {
      store.record(turn("resp_a", null));
      store.record(turn("resp_b", "resp_a"));
      store.record(turn("resp_fork", "resp_a"));
      Thread.sleep(700);
      store.record(turn("resp_c", "resp_b"));
      Thread.sleep(700);
      assertThat(store.history(null, "resp_c").orElseThrow().responseIds()).containsExactly("resp_a", "resp_b", "resp_c");
      assertThat(store.turn(null, "resp_fork")).as("a branch stays while the conversation is active").isPresent();
      Thread.sleep(1_100);
      for (String id : new String[] {"resp_a", "resp_b", "resp_c", "resp_fork"}) {
        assertThat(store.history(null, id)).as("history of %s after the TTL", id).isEmpty();
      }
      assertThat(store.deleteInactiveBefore(Instant.now().plusSeconds(60))).as("turns a cleanup finds after the TTL").isZero();
    }
  }

  @Test
  @DisplayName("claims outlive their conversation: the first turn still reads after several retention periods of activity")
  void claimsAreRefreshed() throws Exception {
    try (RedisStateStore store = open()) {
      store.record(turn("resp_0", null));
      for (int i = 1; i <= 8; i++) {
        Thread.sleep(400);
        store.record(turn("resp_" + i, "resp_" + (i - 1)));
      }
      assertThat(store.turn(null, "resp_0")).as("the first turn, 3.2 s and 8 recordings later").isPresent();
      assertThat(store.turn(null, "resp_4")).isPresent();
      assertThat(store.history(null, "resp_8").orElseThrow().size()).isEqualTo(9);
    }
  }

  @Test
  @DisplayName("an expired conversation's ids can start a new conversation, and its index entry is pruned")
  void expiredIdsAreFree() throws Exception {
    try (RedisStateStore store = open()) {
      store.record(turn("resp_old", null));
      store.record(turn("resp_old_2", "resp_old"));
      Thread.sleep(1_300);
      store.record(turn("resp_new", null));
      assertThat(indexEntries()).as("activity index entries after a recording pruned the expired one").isEqualTo(1);
      Turn again = store.record(turn("resp_old", null).toBuilder().model("other").build());
      assertThat(store.turn(null, "resp_old").orElseThrow().model()).isEqualTo(again.model());
      assertThat(store.history(null, "resp_old_2")).as("a turn of the expired incarnation").isEmpty();
    }
  }

  private long indexEntries() {
    RedisKeys keys = new RedisKeys(prefix, new Shards(1));
    RedisClient client = RedisClient.create(TestRedis.standaloneUrl());
    try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE)) {
      return connection.sync().zcard(keys.indexOfShard(0));
    } finally {
      client.shutdown();
    }
  }

  private static Turn turn(String id, String previous) {
    return Turn.builder(id).previousResponseId(previous).model("m").provider("p").createdAt(1)
        .input(InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":\"" + id + "\"}]")).build();
  }
}
