package io.convstate;

import java.util.Objects;

/**
 * The caller handed a store or a helper a value it cannot take: a null or blank id, items that
 * are not a JSON array of objects, a character the backend cannot keep, an oversize document.
 * Nothing was written. The message names the field and the reason.
 */
public class InvalidInputException extends ConvStateException {

  private final String field;

  public InvalidInputException(String field, String reason) {
    super(Objects.requireNonNull(field, "field") + ": " + reason);
    this.field = field;
  }

  public InvalidInputException(String field, String reason, Throwable cause) {
    super(Objects.requireNonNull(field, "field") + ": " + reason, cause);
    this.field = field;
  }

  /** The offending field, as named in the table or the Responses API (e.g. {@code input_items}). */
  public String field() {
    return field;
  }
}
