package io.convstate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.Turn;

/**
 * The JSON the CLI prints for turns and histories. Items and metadata keep their exact text
 * (numbers keep every digit); the owner is printed only when the turn has one. Stateless.
 */
final class TurnJson {

  static final ObjectMapper JSON = new ObjectMapper();

  private TurnJson() {}

  /**
   * One turn: its ids, owner, model, provider, times, metadata, and this turn's own input and
   * output items (not the history before it).
   */
  static ObjectNode turn(Turn turn) {
    ObjectNode json = JSON.createObjectNode()
        .put("response_id", turn.responseId())
        .put("previous_response_id", turn.previousResponseId().orElse(null));
    turn.owner().ifPresent(owner -> json.put("owner", owner));
    json.put("model", turn.model())
        .put("provider", turn.provider())
        .put("created_at", turn.createdAt())
        .put("conversation_created_at", turn.conversationCreatedAt())
        .put("recorded_at", turn.recordedAt().map(Object::toString).orElse(null));
    turn.metadata().ifPresent(metadata -> json.set("metadata", exact(metadata)));
    json.set("input", turn.input().toJsonNode());
    json.set("output", turn.output().toJsonNode());
    return json;
  }

  /** A turn with a summary of its history: how many turns, items and bytes of JSON lead to it. */
  static ObjectNode turnWithSummary(History history) {
    ObjectNode json = turn(history.last());
    json.putObject("history")
        .put("turns", history.size())
        .put("items", history.items().size())
        .put("bytes", history.items().jsonBytes());
    return json;
  }

  /** The whole history: every turn from the conversation's first to the response, first turn first. */
  static ObjectNode history(History history) {
    ObjectNode json = JSON.createObjectNode().put("response_id", history.responseId());
    ArrayNode turns = json.putArray("turns");
    for (Turn turn : history.turns()) {
      turns.add(turn(turn));
    }
    return json;
  }

  /** A JSON object's text as a tree with exact numbers (the items' parser keeps every digit). */
  private static JsonNode exact(String object) {
    return InputItems.parse("metadata", "[" + object + "]").toJsonNode().get(0);
  }
}
