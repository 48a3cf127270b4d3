package io.convstate;

import java.util.Objects;

/**
 * A state that an operation requires does not exist, for example the previous response of
 * {@link StateStore#append}. A plain {@link StateStore#get} of an unknown id is never an error.
 */
public class StateNotFoundException extends ConvStateException {

  private final String responseId;

  public StateNotFoundException(String responseId) {
    this(responseId, "No conversation state for response id '" + responseId + "'");
  }

  protected StateNotFoundException(String responseId, String message) {
    super(message);
    this.responseId = Objects.requireNonNull(responseId, "responseId");
  }

  /** The response id that was not found; never null. */
  public String responseId() {
    return responseId;
  }
}
