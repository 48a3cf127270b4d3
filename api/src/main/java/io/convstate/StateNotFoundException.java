package io.convstate;

import java.util.Objects;

/**
 * A response that an operation requires is absent, deleted or another owner's: for example the
 * previous response of {@link StateStore#record}. A plain read of an unknown id is never an error
 * (it is empty).
 */
public class StateNotFoundException extends ConvStateException {

  private final String responseId;

  public StateNotFoundException(String responseId) {
    this(responseId, "No response with id '" + responseId + "'");
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
