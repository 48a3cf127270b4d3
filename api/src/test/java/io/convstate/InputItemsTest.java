package io.convstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Input items")
class InputItemsTest {

  @Nested
  @DisplayName("parsing")
  class Parsing {

    @Test
    @DisplayName("keeps the given text, less outer white space")
    void keepsText() {
      String json = "[ {\"a\": 1.50, \"b\":9007199254740993} ,{\"c\":\"é\"} ]";
      assertThat(InputItems.parse("  \n" + json + "\t").toJson()).isEqualTo(json);
      assertThat(InputItems.parse(json).size()).isEqualTo(2);
    }

    @Test
    @DisplayName("counts UTF-8 bytes exactly, surrogate pairs included")
    void countsBytes() {
      String json = "[{\"t\":\"é漢😀x\"}]";
      assertThat(InputItems.parse(json).jsonBytes()).isEqualTo(json.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    @DisplayName("an empty array is the empty instance")
    void emptyArray() {
      assertThat(InputItems.parse(" [ ] ")).isSameAs(InputItems.empty());
      assertThat(InputItems.empty().toJson()).isEqualTo("[]");
      assertThat(InputItems.empty().jsonBytes()).isEqualTo(2);
    }

    @Test
    @DisplayName("names the element that is not an object")
    void namesElement() {
      assertThatThrownBy(() -> InputItems.parse("[{}, {}, [1]]"))
          .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("input_items[2]"))
          .hasMessage("input_items[2]: must be a JSON object, not an array");
    }

    @Test
    @DisplayName("reports where the JSON is broken")
    void reportsLocation() {
      assertThatThrownBy(() -> InputItems.parse("[{\"a\":1,\n\"a\":2}]"))
          .hasMessageContaining("Duplicate field 'a'")
          .hasMessageContaining("line 2");
    }

    @Test
    @DisplayName("copies a tree, so later changes to it do not show")
    void copiesTree() {
      ArrayNode tree = Json.MAPPER.createArrayNode();
      tree.addObject().put("a", 1);
      InputItems items = InputItems.of(tree);
      tree.addObject().put("b", 2);
      assertThat(items.toJson()).isEqualTo("[{\"a\":1}]");
    }
  }

  @Nested
  @DisplayName("concatenation")
  class Concatenation {

    @Test
    @DisplayName("joins the texts with a comma and adds sizes")
    void joins() {
      InputItems a = InputItems.parse("[{\"a\":1}, {\"b\":2}]");
      InputItems b = InputItems.parse("[{\"c\":3}]");
      InputItems joined = a.concat(b);
      assertThat(joined.toJson()).isEqualTo("[{\"a\":1}, {\"b\":2},{\"c\":3}]");
      assertThat(joined.size()).isEqualTo(3);
      assertThat(joined.jsonBytes()).isEqualTo(joined.toJson().getBytes(StandardCharsets.UTF_8).length);
      assertThat(a.toJson()).isEqualTo("[{\"a\":1}, {\"b\":2}]");
    }

    @Test
    @DisplayName("with an empty side returns the other side")
    void emptySides() {
      InputItems a = InputItems.parse("[{\"a\":1}]");
      assertThat(a.concat(InputItems.empty())).isSameAs(a);
      assertThat(InputItems.empty().concat(a)).isSameAs(a);
    }

    @Test
    @DisplayName("of two concatenations keeps every item in order")
    void nested() {
      InputItems left = InputItems.parse("[{\"n\":1}]").concat(InputItems.parse("[{\"n\":2}]"));
      InputItems right = InputItems.parse("[{\"n\":3}]").concat(InputItems.parse("[{\"n\":4},{\"n\":5}]"));
      InputItems all = left.concat(right);
      assertThat(all.toJson()).isEqualTo("[{\"n\":1},{\"n\":2},{\"n\":3},{\"n\":4},{\"n\":5}]");
      assertThat(all.size()).isEqualTo(5);
      assertThat(all.jsonBytes()).isEqualTo(all.toJson().length());
      assertThat(all).isEqualTo(InputItems.parse("[{\"n\":1},{\"n\":2},{\"n\":3},{\"n\":4},{\"n\":5}]"));
    }

    @Test
    @DisplayName("a 10,000-turn chain materialises without deep recursion")
    void longChain() {
      InputItems items = InputItems.empty();
      InputItems turn = InputItems.parse("[{\"t\":1}]");
      for (int i = 0; i < 10_000; i++) {
        items = items.concat(turn);
      }
      assertThat(items.size()).isEqualTo(10_000);
      assertThat(items.toJsonNode()).hasSize(10_000);
    }
  }

  @Test
  @DisplayName("toString shows counts, never content")
  void toStringHidesContent() {
    assertThat(InputItems.parse("[{\"secret\":\"s3cr3t\"}]").toString())
        .isEqualTo("InputItems[1 items, 21 bytes]")
        .doesNotContain("s3cr3t");
  }
}
