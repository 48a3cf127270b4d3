package io.convstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Durations")
class DurationsTest {

  @Test
  @DisplayName("accept a number with ms, s, m, h or d, and ISO-8601")
  void accepted() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse(" 12h ")).isEqualTo(Duration.ofHours(12));
    assertThat(Durations.parse("30d")).isEqualTo(Duration.ofDays(30));
    assertThat(Durations.parse("PT1H30M")).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  @DisplayName("refuse anything else with the accepted forms")
  void refused() {
    for (String text : new String[] {"", "7", "7 days", "-5s", "PT-1S", "1.5h", null}) {
      assertThatThrownBy(() -> Durations.parse(text))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("30s, 12h, 7d");
    }
  }

  @Test
  @DisplayName("refuse a duration that would overflow milliseconds, naming the limit")
  void tooLong() {
    for (String text : new String[] {"999999999999d", "100001d", "P200000D"}) {
      assertThatThrownBy(() -> Durations.parse(text))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("100000d");
    }
    assertThat(Durations.parse("100000d")).isEqualTo(Durations.MAX);
  }
}
