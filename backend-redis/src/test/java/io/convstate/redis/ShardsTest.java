package io.convstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Shards and keys place a conversation in one slot")
class ShardsTest {

  @Test
  @DisplayName("the tags are the stored format: pinned, and each on its evenly spaced slot")
  void tagsArePinned() {
    Shards shards = new Shards(1024);
    assertThat(shards.tag(0)).isEqualTo("1bz");
    assertThat(shards.tag(1)).isEqualTo("8yr");
    assertThat(shards.tag(1023)).isEqualTo("430");
    for (int shard = 0; shard < 1024; shard++) {
      assertThat(SlotHash.getSlot(("x{" + shards.tag(shard) + "}y").getBytes(StandardCharsets.US_ASCII)))
          .as("slot of shard %d", shard).isEqualTo(shard * 16);
    }
    Shards all = new Shards(16_384);
    assertThat(all.tag(16_383)).isEqualTo("hia");
    for (int slot = 0; slot < 16_384; slot++) {
      assertThat(SlotHash.getSlot(("{" + all.tag(slot) + "}").getBytes(StandardCharsets.US_ASCII))).isEqualTo(slot);
    }
  }

  @Test
  @DisplayName("a conversation's hash, its shard's index and its first turn's claim share one slot")
  void oneSlotPerConversation() {
    RedisKeys keys = new RedisKeys("convstate", new Shards(1024));
    for (String id : new String[] {"resp_1", "resp_{tag}", "resp_é\ud800", "x"}) {
      byte[] bytes = Wtf8.encode(id);
      int slot = SlotHash.getSlot(keys.conversation(bytes));
      assertThat(SlotHash.getSlot(keys.index(bytes))).isEqualTo(slot);
      assertThat(SlotHash.getSlot(keys.claim(bytes))).isEqualTo(slot);
      assertThat(new String(keys.conversation(bytes), StandardCharsets.UTF_8)).startsWith("convstate:{");
    }
  }

  @Test
  @DisplayName("a shard count that is not a power of two up to 16384 is refused")
  void powersOfTwo() {
    for (int bad : new int[] {0, 3, 1000, 32_768}) {
      assertThatThrownBy(() -> new Shards(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(new Shards(1).of(Wtf8.encode("anything"))).isZero();
  }
}
