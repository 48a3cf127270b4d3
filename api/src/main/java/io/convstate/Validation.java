package io.convstate;

import java.time.Instant;

/**
 * The argument checks every store shares, so that every backend rejects the same input with the
 * same message. Backends call these at the top of each method; each throws
 * {@link InvalidInputException} naming the field.
 */
public final class Validation {

  /**
   * The longest id, model or provider name accepted, in characters. PostgreSQL cannot index a
   * text value over about 2,700 bytes; real ids are under 100 characters.
   */
  public static final int MAX_NAME_LENGTH = 512;

  private Validation() {}

  /**
   * Checks that a value is not null; the cheap first half of {@link #requireName}, for hot paths
   * that look a value up before checking it fully.
   *
   * @return value, unchanged
   * @throws InvalidInputException naming field when value is null
   */
  public static <T> T requireNonNull(String field, T value) {
    if (value == null) {
      throw new InvalidInputException(field, "must not be null");
    }
    return value;
  }

  /**
   * Checks an id or name: not null, not blank, no NUL character, at most
   * {@value #MAX_NAME_LENGTH} characters.
   *
   * @return value, unchanged
   * @throws InvalidInputException naming field
   */
  public static String requireName(String field, String value) {
    if (value == null) {
      throw new InvalidInputException(field, "must not be null");
    }
    if (value.isBlank()) {
      throw new InvalidInputException(field, "must not be blank");
    }
    if (value.length() > MAX_NAME_LENGTH) {
      throw new InvalidInputException(
          field, "is " + value.length() + " characters long, over the limit of " + MAX_NAME_LENGTH);
    }
    if (value.indexOf('\0') >= 0) {
      throw new InvalidInputException(field, "must not contain the NUL character (U+0000)");
    }
    return value;
  }

  /**
   * Checks a turn handed to {@code record}: not null, items and metadata within the store's size
   * limit.
   *
   * @return turn, unchanged
   * @throws InvalidInputException naming {@code turn}
   */
  public static Turn requireRecordable(Turn turn, long maxItemsBytes) {
    if (turn == null) {
      throw new InvalidInputException("turn", "must not be null");
    }
    if (turn.jsonBytes() > maxItemsBytes) {
      throw new InvalidInputException(
          "turn",
          "input, output and metadata are " + turn.jsonBytes() + " bytes of JSON, over this store's limit of "
              + maxItemsBytes + " bytes (option " + StoreConfig.MAX_ITEMS_BYTES + ")");
    }
    return turn;
  }

  /**
   * Checks the owner a caller names: null (unscoped) or a valid name.
   *
   * @return owner, unchanged
   * @throws InvalidInputException naming {@code owner}
   */
  public static String requireOwner(String owner) {
    return owner == null ? null : requireName("owner", owner);
  }

  /** The earliest cutoff accepted: the first instant of year 1. */
  public static final Instant EARLIEST_CUTOFF = Instant.parse("0001-01-01T00:00:00Z");
  /** The latest cutoff accepted: the last microsecond of year 9999. */
  public static final Instant LATEST_CUTOFF = Instant.parse("9999-12-31T23:59:59.999999Z");

  /**
   * Checks a cleanup cutoff: not null, within years 1 to 9999 (every backend can compare those
   * exactly; to remove everything, pass {@link #LATEST_CUTOFF}).
   *
   * @return cutoff, unchanged
   * @throws InvalidInputException naming {@code cutoff}
   */
  public static Instant requireCutoff(Instant cutoff) {
    if (cutoff == null) {
      throw new InvalidInputException("cutoff", "must not be null");
    }
    if (cutoff.isBefore(EARLIEST_CUTOFF) || cutoff.isAfter(LATEST_CUTOFF)) {
      throw new InvalidInputException("cutoff", "must be within years 1 to 9999, was " + cutoff);
    }
    return cutoff;
  }
}
