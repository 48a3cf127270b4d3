package io.convstate.conformance;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock the kit moves by hand, so that {@code recorded_at} and cleanup cutoffs are exact.
 * Thread-safe. Starts at {@link #START}, a whole second; the kit only moves it by whole
 * milliseconds, so a backend must keep {@code recorded_at} to at least millisecond precision.
 */
public final class TestClock extends Clock {

  /** Where every new clock starts: 2026-01-01T00:00:00Z. */
  public static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicReference<Instant> now = new AtomicReference<>(START);

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("a TestClock is always UTC");
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  /** Moves the clock forward (or back, for a negative duration) and returns the new time. */
  public Instant advance(Duration duration) {
    return now.updateAndGet(current -> current.plus(duration));
  }

  /** Sets the clock. */
  public void set(Instant instant) {
    now.set(instant);
  }
}
