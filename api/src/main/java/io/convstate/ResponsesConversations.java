package io.convstate;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.Objects;

/**
 * What a host app calls on each Responses request to honour {@code previous_response_id}:
 *
 * <pre>{@code
 * PreparedTurn turn = conversations.prepare(owner, request.get("previous_response_id"), request.get("input"));
 * // send turn.upstreamInput().toJsonNode() upstream as "input", without previous_response_id
 * conversations.record(turn, response.get("id").asText(), response.get("output"), model, provider);
 * }</pre>
 *
 * <p>Recording writes the new turn only (its input and output), never the history again.
 * Thread-safe when the store is (every convstate store is).
 */
public final class ResponsesConversations {

  private final StateStore store;
  private final Clock clock;

  /** Uses the system clock for each response's {@code created_at}. */
  public ResponsesConversations(StateStore store) {
    this(store, Clock.systemUTC());
  }

  public ResponsesConversations(StateStore store, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Rebuilds the history to send upstream: the stored history of {@code previousResponseId}
   * followed by the request's {@code input} (normalised by {@link ResponsesItems#normalizeInput}).
   *
   * @param owner the caller's owner (a tenant, a key hash); null for unscoped
   * @param previousResponseId the request's {@code previous_response_id}: null, a missing node or a
   *     JSON null when the request starts a conversation, else a string
   * @throws PreviousResponseNotFoundException when previousResponseId is absent, deleted or
   *     another owner's (answer HTTP 400 with its {@link PreviousResponseNotFoundException#errorBody()})
   * @throws InvalidInputException for a malformed input, owner or previous_response_id
   * @throws StorageException when the store fails (answer 5xx; never treated as "not found")
   */
  public PreparedTurn prepare(String owner, JsonNode previousResponseId, JsonNode input) {
    if (previousResponseId == null || previousResponseId.isMissingNode() || previousResponseId.isNull()) {
      return prepare(owner, (String) null, input);
    }
    if (!previousResponseId.isTextual()) {
      throw new InvalidInputException("previous_response_id", "must be a string");
    }
    return prepare(owner, previousResponseId.textValue(), input);
  }

  /** As {@link #prepare(String, JsonNode, JsonNode)}, with previousResponseId null for a new conversation. */
  public PreparedTurn prepare(String owner, String previousResponseId, JsonNode input) {
    Validation.requireOwner(owner);
    InputItems newInput = ResponsesItems.normalizeInput(input);
    if (previousResponseId == null) {
      return new PreparedTurn(owner, null, newInput);
    }
    Validation.requireName("previous_response_id", previousResponseId);
    History previous = store.history(owner, previousResponseId)
        .orElseThrow(() -> new PreviousResponseNotFoundException(previousResponseId));
    return new PreparedTurn(owner, previous, newInput);
  }

  /**
   * Records the turn after the model answered: the request's own input and the response's output
   * items, under the response's id, continuing the prepared previous response.
   *
   * @return the turn as stored
   * @throws PreviousResponseNotFoundException when the previous response was deleted meanwhile
   * @throws ResponseConflictException when responseId already holds another turn
   * @throws InvalidInputException naming the field for a bad argument
   * @throws StorageException when the store fails
   */
  public Turn record(PreparedTurn turn, String responseId, JsonNode output, String model, String provider) {
    Objects.requireNonNull(turn, "turn");
    Turn draft = Turn.builder(responseId)
        .previousResponseId(turn.previousResponseId().orElse(null))
        .owner(turn.owner().orElse(null))
        .input(turn.newInput())
        .output(ResponsesItems.outputAsInput(output))
        .model(model)
        .provider(provider)
        .createdAt(clock.instant().getEpochSecond())
        .build();
    try {
      return store.record(draft);
    } catch (PreviousResponseNotFoundException e) {
      throw e;
    } catch (StateNotFoundException e) {
      throw new PreviousResponseNotFoundException(e.responseId());
    }
  }
}
