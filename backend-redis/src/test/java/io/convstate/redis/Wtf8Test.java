package io.convstate.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.InputItems;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Text goes to bytes and back exactly")
class Wtf8Test {

  private static final List<String> TEXTS = List.of(
      "", "plain ascii", "é漢😀", "\u0000nul", "lone high \ud800 surrogate", "lone low \udfff", "\udc00\ud800 reversed pair",
      "end \ud83d", "\ud83d\ude00\ud83d", "mixed é\ud800漢\udfff😀");

  @Test
  @DisplayName("every string, unpaired surrogates included, decodes to itself")
  void roundTrips() {
    for (String text : TEXTS) {
      assertThat(Wtf8.decode(Wtf8.encode(text))).as("round trip of %s", text).isEqualTo(text);
    }
  }

  @Test
  @DisplayName("well-formed text is plain UTF-8, and the byte length is what InputItems counts")
  void utf8AndLength() {
    assertThat(Wtf8.encode("é漢😀")).isEqualTo("é漢😀".getBytes(StandardCharsets.UTF_8));
    for (String text : TEXTS) {
      String json = "[{\"t\":\"" + text.replace("\u0000", "\\u0000") + "\"}]";
      assertThat(Wtf8.encode(json).length).as("bytes of %s", text).isEqualTo(InputItems.parse(json).jsonBytes());
    }
  }

  @Test
  @DisplayName("a slice decodes alone, and distinct strings never share bytes")
  void slicesAndInjective() {
    byte[] joined = RedisKeys.concat(Wtf8.encode("a\ud800"), Wtf8.encode("b"));
    assertThat(Wtf8.decode(joined, 0, joined.length - 1)).isEqualTo("a\ud800");
    assertThat(Wtf8.encode("\ud800")).isNotEqualTo(Wtf8.encode("?")).isNotEqualTo(Wtf8.encode("\ufffd"));
  }
}
