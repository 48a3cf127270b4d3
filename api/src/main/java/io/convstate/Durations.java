package io.convstate;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations that configuration and the CLI accept: a whole number followed by
 * {@code ms}, {@code s}, {@code m}, {@code h} or {@code d} ({@code 500ms}, {@code 30s},
 * {@code 12h}, {@code 7d}), or ISO-8601 ({@code PT5M}).
 */
public final class Durations {

  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");
  /** The longest duration accepted: 100,000 days, so that every duration fits in milliseconds. */
  public static final Duration MAX = Duration.ofDays(100_000);

  private Durations() {}

  /**
   * @throws IllegalArgumentException with the accepted forms when text is not a duration, is
   *     negative, or is longer than {@link #MAX}
   */
  public static Duration parse(String text) {
    Duration duration = parseUnbounded(text);
    if (duration.compareTo(MAX) > 0) {
      throw new IllegalArgumentException("'" + text + "' is longer than the longest duration accepted, 100000d");
    }
    return duration;
  }

  private static Duration parseUnbounded(String text) {
    String trimmed = text == null ? "" : text.strip();
    Matcher simple = SIMPLE.matcher(trimmed);
    if (simple.matches()) {
      long amount = Long.parseLong(simple.group(1));
      switch (simple.group(2)) {
        case "ms":
          return Duration.ofMillis(amount);
        case "s":
          return Duration.ofSeconds(amount);
        case "m":
          return Duration.ofMinutes(amount);
        case "h":
          return Duration.ofHours(amount);
        default:
          return Duration.ofDays(amount);
      }
    }
    try {
      Duration duration = Duration.parse(trimmed);
      if (!duration.isNegative()) {
        return duration;
      }
    } catch (DateTimeParseException e) {
      // reported below with the accepted forms
    }
    throw new IllegalArgumentException(
        "'" + text + "' is not a duration; use a whole number with ms, s, m, h or d (30s, 12h, 7d) or ISO-8601 (PT5M)");
  }
}
