package io.convstate;

import java.util.Objects;

/**
 * A turn was recorded under a response id that already holds a different turn. Recording is
 * create-only: the stored turn is left exactly as it was. (Recording the same turn again, as a
 * retry does, is not a conflict.)
 */
public final class ResponseConflictException extends ConvStateException {

  private final String responseId;

  public ResponseConflictException(String responseId) {
    super("response_id: '" + Objects.requireNonNull(responseId, "responseId")
        + "' already holds a different turn; a recorded turn is never overwritten");
    this.responseId = responseId;
  }

  /** The response id that is taken; never null. */
  public String responseId() {
    return responseId;
  }
}
