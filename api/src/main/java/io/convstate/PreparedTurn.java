package io.convstate;

import java.util.Optional;

/**
 * A request ready to send upstream: the full history to send as {@code input}, and what is needed
 * to record the response afterwards. Made by {@link ResponsesConversations#prepare}; immutable.
 */
public final class PreparedTurn {

  private final String previousResponseId;
  private final InputItems upstreamInput;
  private final long createdAt;

  PreparedTurn(String previousResponseId, InputItems upstreamInput, long createdAt) {
    this.previousResponseId = previousResponseId;
    this.upstreamInput = upstreamInput;
    this.createdAt = createdAt;
  }

  /** The request's {@code previous_response_id}; empty when it starts a conversation. */
  public Optional<String> previousResponseId() {
    return Optional.ofNullable(previousResponseId);
  }

  /** The stored history of the previous response followed by the request's input. */
  public InputItems upstreamInput() {
    return upstreamInput;
  }

  /** Unix seconds when the conversation started: the previous state's, or now for a new one. */
  public long createdAt() {
    return createdAt;
  }

  @Override
  public String toString() {
    return "PreparedTurn[previousResponseId=" + previousResponseId + ", upstreamInput=" + upstreamInput
        + ", createdAt=" + createdAt + "]";
  }
}
