package io.convstate;

import java.util.Optional;

/**
 * A request ready to send upstream: the full history to send as {@code input}, and what is needed
 * to record the response afterwards. Made by {@link ResponsesConversations#prepare}; immutable.
 */
public final class PreparedTurn {

  private final String owner;
  private final History previous;
  private final InputItems newInput;
  private final InputItems upstreamInput;

  PreparedTurn(String owner, History previous, InputItems newInput) {
    this.owner = owner;
    this.previous = previous;
    this.newInput = newInput;
    this.upstreamInput = previous == null ? newInput : previous.items().concat(newInput);
  }

  /** The owner the turn is prepared for; empty for unscoped. */
  public Optional<String> owner() {
    return Optional.ofNullable(owner);
  }

  /** The request's {@code previous_response_id}; empty when it starts a conversation. */
  public Optional<String> previousResponseId() {
    return previous == null ? Optional.empty() : Optional.of(previous.responseId());
  }

  /** The history the request continues; empty when it starts a conversation. */
  public Optional<History> previous() {
    return Optional.ofNullable(previous);
  }

  /** The request's own input items, normalised: what the turn records as its input. */
  public InputItems newInput() {
    return newInput;
  }

  /** The stored history of the previous response followed by the request's input. */
  public InputItems upstreamInput() {
    return upstreamInput;
  }

  @Override
  public String toString() {
    return "PreparedTurn[previousResponseId=" + previousResponseId().orElse(null) + ", newInput=" + newInput
        + ", upstreamInput=" + upstreamInput + "]";
  }
}
