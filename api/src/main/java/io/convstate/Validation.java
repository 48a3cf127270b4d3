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
   * Checks a state handed to {@code put}: not null, items within the store's size limit.
   *
   * @return state, unchanged
   * @throws InvalidInputException naming {@code state} or {@code input_items}
   */
  public static ConversationState requireStorable(ConversationState state, long maxItemsBytes) {
    if (state == null) {
      throw new InvalidInputException("state", "must not be null");
    }
    requireWithinLimit(state.items(), maxItemsBytes);
    return state;
  }

  /**
   * Checks items against a store's size limit.
   *
   * @return items, unchanged
   * @throws InvalidInputException naming {@code input_items} when null or over the limit
   */
  public static InputItems requireWithinLimit(InputItems items, long maxItemsBytes) {
    if (items == null) {
      throw new InvalidInputException("input_items", "must not be null");
    }
    if (items.jsonBytes() > maxItemsBytes) {
      throw new InvalidInputException(
          "input_items",
          "is " + items.jsonBytes() + " bytes of JSON, over this store's limit of " + maxItemsBytes
              + " bytes (option " + StoreConfig.MAX_ITEMS_BYTES + ")");
    }
    return items;
  }

  /**
   * Checks the arguments of {@link StateStore#append} before anything is read or written.
   *
   * @return a draft holding responseId, newItems, model and provider; its {@code created_at} is a
   *     placeholder (0), since an append takes the previous state's
   * @throws InvalidInputException naming the first bad argument
   */
  public static ConversationState requireAppendable(
      String previousResponseId, String responseId, InputItems newItems, String model, String provider) {
    requireName("previous_response_id", previousResponseId);
    return ConversationState.of(responseId, newItems, 0, model, provider);
  }

  /**
   * Checks a cleanup cutoff.
   *
   * @return cutoff, unchanged
   * @throws InvalidInputException naming {@code cutoff} when null
   */
  public static Instant requireCutoff(Instant cutoff) {
    if (cutoff == null) {
      throw new InvalidInputException("cutoff", "must not be null");
    }
    return cutoff;
  }
}
