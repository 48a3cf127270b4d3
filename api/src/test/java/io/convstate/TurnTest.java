package io.convstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Turns, histories and listings as values")
class TurnTest {

  private static Turn.Builder turn(String id) {
    return Turn.builder(id).model("m").provider("p").createdAt(10)
        .input(InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":\"" + id + "\"}]"))
        .output(InputItems.parse("[{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\",\"arguments\":\"{}\"}]"));
  }

  private static void assertInvalid(Runnable call, String field) {
    assertThatThrownBy(call::run).isInstanceOf(InvalidInputException.class)
        .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo(field));
  }

  @Nested
  @DisplayName("a turn")
  class Turns {

    @Test
    @DisplayName("refuses each bad field by name")
    void badFields() {
      assertInvalid(() -> Turn.builder(null).model("m").provider("p").build(), "response_id");
      assertInvalid(() -> Turn.builder(" ").model("m").provider("p").build(), "response_id");
      assertInvalid(() -> turn("r").previousResponseId("").build(), "previous_response_id");
      assertInvalid(() -> turn("r").previousResponseId("r").build(), "previous_response_id");
      assertInvalid(() -> turn("r").owner("\0").build(), "owner");
      assertInvalid(() -> turn("r").input(null).build(), "input");
      assertInvalid(() -> turn("r").output(null).build(), "output");
      assertInvalid(() -> turn("r").model(" ").build(), "model");
      assertInvalid(() -> turn("r").provider(null).build(), "provider");
      assertInvalid(() -> turn("r").createdAt(-1).build(), "created_at");
      assertInvalid(() -> turn("r").metadata("[1]"), "metadata");
      assertInvalid(() -> turn("r").metadata("{\"a\":1,\"a\":2}"), "metadata");
      assertInvalid(() -> turn("r").metadata("{\"a\":1},{\"b\":2}"), "metadata");
      assertInvalid(() -> turn("r").metadata("{\"a\":1e5000}"), "metadata");
      assertInvalid(() -> turn("r").metadata("{\"a\":\"" + "x".repeat(Turn.MAX_METADATA_BYTES) + "\"}"), "metadata");
    }

    @Test
    @DisplayName("toString names ids and sizes, never items, metadata or the owner")
    void toStringHidesContent() {
      String text = turn("resp_1").owner("alice@example.com").metadata("{\"secret\":\"s3\"}").build().toString();
      assertThat(text).contains("resp_1").doesNotContain("alice", "s3", "function_call");
    }

    @Test
    @DisplayName("the same record ignores what a store sets: conversation start and recording time")
    void sameRecord() {
      Turn written = turn("resp_1").build();
      Turn stored = written.toBuilder().conversationCreatedAt(3).recordedAt(Instant.EPOCH).build();
      assertThat(stored.sameRecordAs(written)).isTrue();
      assertThat(stored).isNotEqualTo(written);
      assertThat(turn("resp_1").model("n").build().sameRecordAs(written)).isFalse();
    }
  }

  @Nested
  @DisplayName("a history")
  class Histories {

    @Test
    @DisplayName("chains turns and shares the earlier history whole")
    void chains() {
      History first = History.of(turn("a").build());
      History second = first.then(turn("b").previousResponseId("a").build());
      assertThat(second.previous()).isSameAs(first);
      assertThat(second.responseIds()).containsExactly("a", "b");
      assertThat(second.items().size()).isEqualTo(4);
      assertThatThrownBy(() -> first.then(turn("c").previousResponseId("x").build())).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> History.of(turn("c").previousResponseId("x").build())).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> History.of(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  @DisplayName("item ids")
  class Ids {

    @Test
    @DisplayName("keep an item's own id, derive the others from the turn and slot, whatever the key order")
    void derived() {
      assertThat(ItemIds.idOf("{\"id\":\"msg_own\",\"type\":\"message\"}", "r", ItemIds.INPUT, 0)).isEqualTo("msg_own");
      String a = ItemIds.idOf("{\"type\":\"function_call\",\"name\":\"f\"}", "r", ItemIds.OUTPUT, 2);
      String b = ItemIds.idOf("{\"name\":\"f\",\"type\":\"function_call\"}", "r", ItemIds.OUTPUT, 2);
      assertThat(a).isEqualTo(b).startsWith("fc_").hasSize(3 + 48);
      assertThat(ItemIds.idOf("{\"type\":\"function_call\"}", "r", ItemIds.INPUT, 2)).isNotEqualTo(a);
      assertThat(ItemIds.idOf("{\"role\":\"user\",\"content\":\"hi\"}", "r", ItemIds.INPUT, 0)).startsWith("msg_");
      assertThat(ItemIds.idOf("{\"type\":\"novel\"}", "r", ItemIds.INPUT, 0)).startsWith("item_");
    }
  }

  @Nested
  @DisplayName("numbers and cutoffs")
  class Bounds {

    @Test
    @DisplayName("a number that would be written out in over 1,000 characters is refused, naming the item")
    void hugeNumbers() {
      assertInvalid(() -> InputItems.parse("[{\"x\":1e1000}]"), "input_items[0]");
      assertInvalid(() -> InputItems.parse("[{\"x\":1e-20000}]"), "input_items[0]");
      assertInvalid(() -> InputItems.parse("[{\"x\":1e99999999}]"), "input_items[0]");
      assertThat(InputItems.parse("[{\"x\":1e900,\"y\":-1.5e-900,\"z\":1e308}]").size()).isEqualTo(1);
    }

    @Test
    @DisplayName("NaN and Infinity in a tree are refused, not turned into strings")
    void notANumber() {
      com.fasterxml.jackson.databind.node.ArrayNode tree = Json.MAPPER.createArrayNode();
      tree.addObject().put("x", Double.NaN);
      assertThatThrownBy(() -> InputItems.of(tree)).isInstanceOf(InvalidInputException.class).hasMessageContaining("NaN");
      com.fasterxml.jackson.databind.node.ArrayNode infinite = Json.MAPPER.createArrayNode();
      infinite.addObject().put("x", Double.POSITIVE_INFINITY);
      assertThatThrownBy(() -> InputItems.of(infinite)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    @DisplayName("a cleanup cutoff outside years 1 to 9999 is refused naming cutoff")
    void cutoffs() {
      assertInvalid(() -> Validation.requireCutoff(Instant.MAX), "cutoff");
      assertInvalid(() -> Validation.requireCutoff(Instant.MIN), "cutoff");
      assertInvalid(() -> Validation.requireCutoff(Instant.parse("+300000-01-01T00:00:00Z")), "cutoff");
      assertThat(Validation.requireCutoff(Validation.LATEST_CUTOFF)).isEqualTo(Validation.LATEST_CUTOFF);
      assertThat(Validation.requireCutoff(Validation.EARLIEST_CUTOFF)).isEqualTo(Validation.EARLIEST_CUTOFF);
    }
  }
}
