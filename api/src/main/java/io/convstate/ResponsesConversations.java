package io.convstate;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.util.Objects;

/**
 * What a host app calls on each Responses request to honour {@code previous_response_id}:
 *
 * <pre>{@code
 * PreparedTurn turn = conversations.prepare(request.get("previous_response_id"), request.get("input"));
 * // send turn.upstreamInput().toJsonNode() upstream as "input", without previous_response_id
 * conversations.record(turn, response.get("id").asText(), response.get("output"), model, provider);
 * }</pre>
 *
 * <p>Thread-safe when the store is (every convstate store is).
 */
public final class ResponsesConversations {

  private final StateStore store;
  private final Clock clock;

  /** Uses the system clock for the {@code created_at} of new conversations. */
  public ResponsesConversations(StateStore store) {
    this(store, Clock.systemUTC());
  }

  public ResponsesConversations(StateStore store, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Rebuilds the history to send upstream: the stored items of {@code previousResponseId}
   * followed by the request's {@code input} (normalised by {@link ResponsesItems#normalizeInput}).
   *
   * @param previousResponseId the request's {@code previous_response_id}: null, a missing node or a
   *     JSON null when the request starts a conversation, else a string
   * @throws PreviousResponseNotFoundException when no state is stored under previousResponseId
   *     (answer HTTP 400 with its {@link PreviousResponseNotFoundException#errorBody()})
   * @throws InvalidInputException for a malformed input or previous_response_id
   * @throws StorageException when the store fails (answer 5xx; never treated as "not found")
   */
  public PreparedTurn prepare(JsonNode previousResponseId, JsonNode input) {
    if (previousResponseId == null || previousResponseId.isMissingNode() || previousResponseId.isNull()) {
      return prepare((String) null, input);
    }
    if (!previousResponseId.isTextual()) {
      throw new InvalidInputException("previous_response_id", "must be a string");
    }
    return prepare(previousResponseId.textValue(), input);
  }

  /** As {@link #prepare(JsonNode, JsonNode)}, with previousResponseId null for a new conversation. */
  public PreparedTurn prepare(String previousResponseId, JsonNode input) {
    InputItems newInput = ResponsesItems.normalizeInput(input);
    if (previousResponseId == null) {
      return new PreparedTurn(null, newInput, clock.instant().getEpochSecond());
    }
    Validation.requireName("previous_response_id", previousResponseId);
    ConversationState previous =
        store.get(previousResponseId).orElseThrow(() -> new PreviousResponseNotFoundException(previousResponseId));
    return new PreparedTurn(previousResponseId, previous.items().concat(newInput), previous.createdAt());
  }

  /**
   * Stores the new state after the model answered: the turn's upstream input followed by the
   * response's output items, under the response's id.
   *
   * @return the state as stored, with its {@code updated_at}
   * @throws InvalidInputException naming the field for a bad argument
   * @throws StorageException when the store fails
   */
  public ConversationState record(PreparedTurn turn, String responseId, JsonNode output, String model, String provider) {
    Objects.requireNonNull(turn, "turn");
    ConversationState state = ConversationState.of(
        responseId, turn.upstreamInput().concat(ResponsesItems.outputAsInput(output)), turn.createdAt(), model, provider);
    return store.put(state);
  }
}
