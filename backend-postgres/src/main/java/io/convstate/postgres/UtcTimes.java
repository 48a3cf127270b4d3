package io.convstate.postgres;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * Instants as the tables keep them: UTC wall-clock time in {@code TIMESTAMP} columns, to the
 * microsecond (PostgreSQL's precision). Stateless.
 */
final class UtcTimes {

  private UtcTimes() {}

  /** The clock's instant, truncated to the microsecond a column can hold. */
  static LocalDateTime now(Clock clock) {
    return LocalDateTime.ofInstant(clock.instant().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
  }

  /**
   * A cleanup cutoff for {@code column < cutoff}, rounded up to the microsecond: a stored time (whole
   * microseconds) is before the rounded cutoff exactly when it is before the given one (pgjdbc would
   * otherwise round nanoseconds to the nearest microsecond, either way).
   */
  static LocalDateTime cutoff(Instant cutoff) {
    Instant micros = cutoff.truncatedTo(ChronoUnit.MICROS);
    return LocalDateTime.ofInstant(micros.equals(cutoff) ? micros : micros.plus(1, ChronoUnit.MICROS), ZoneOffset.UTC);
  }
}
