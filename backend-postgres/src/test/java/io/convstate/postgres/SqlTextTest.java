package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.InvalidInputException;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The SQL and JSON text helpers")
class SqlTextTest {

  @Nested
  @DisplayName("named statements")
  class Named {

    @Test
    @DisplayName("named parameters become ?, casts and quoted text stay, and the tables are put in")
    void renders() {
      NamedSql sql = NamedSql.render(
          "SELECT :a::jsonb, ':not_a_name', \"x:y\", to_char(t, 'HH24:MI'), :b, :a FROM %TABLE% WHERE x = :b_2",
          Map.of("%TABLE%", TableName.parse("app.turns")));
      assertThat(sql.sql())
          .isEqualTo("SELECT ?::jsonb, ':not_a_name', \"x:y\", to_char(t, 'HH24:MI'), ?, ? FROM \"app\".\"turns\" WHERE x = ?");
    }

    @Test
    @DisplayName("an unterminated quote is a programming error, found when the statement is rendered")
    void unterminated() {
      assertThatThrownBy(() -> NamedSql.parse("SELECT 'x")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  @DisplayName("what jsonb and pgjdbc cannot keep")
  class Keepable {

    @Test
    @DisplayName("an unpaired surrogate in a name is refused naming the field; a pair is fine")
    void names() {
      assertThat(JsonbText.requireKeepableText("owner", "tenant 😀")).isEqualTo("tenant 😀");
      assertThat(JsonbText.requireKeepableText("owner", null)).isNull();
      assertThatThrownBy(() -> JsonbText.requireKeepableText("owner", "a\ud800b"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("owner")
          .hasMessageContaining("U+D800");
      assertThat(JsonbText.keepableText("x\udc00")).isFalse();
      assertThat(JsonbText.keepableText("x\ud83d\ude00")).isTrue();
    }

    @Test
    @DisplayName("the \\u0000 escape and unpaired surrogate escapes in JSON are refused naming the field")
    void json() {
      assertThatThrownBy(() -> JsonbText.requireKeepable("metadata", "{\"a\":\"\\u0000\"}"))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("metadata").hasMessageContaining("NUL");
      assertThatThrownBy(() -> JsonbText.requireKeepable("input", "[{\"a\":\"\\ud800x\"}]"))
          .isInstanceOf(InvalidInputException.class).hasMessageContaining("input");
      assertThat(JsonbText.requireKeepable("input", "[{\"a\":\"\\ud83d\\ude00\"}]")).isNotNull();
    }
  }

  @Nested
  @DisplayName("compacting jsonb's text")
  class Compact {

    @Test
    @DisplayName("drops the blanks after colons and commas, never inside strings")
    void compacts() {
      assertThat(JsonbText.compact("{\"a\": 1, \"b\": [1, 2], \"c\": \"x, y: z\", \"d\": \"q\\\"\\\\, \"}"))
          .isEqualTo("{\"a\":1,\"b\":[1,2],\"c\":\"x, y: z\",\"d\":\"q\\\"\\\\, \"}");
      String compact = "{\"a\":1}";
      assertThat(JsonbText.compact(compact)).isSameAs(compact);
    }
  }
}
