package io.convstate.responses;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.History;
import io.convstate.InputItems;
import java.util.List;

/**
 * A request that passed every check before the model call: validated, its previous response
 * loaded, its input resolved, its turn known to be recordable, its response id and created_at
 * chosen. Not shared between threads.
 */
final class PendingResponse {

  final String owner;
  final ParsedRequest request;
  final String responseId;
  /** Unix seconds. */
  final long createdAt;
  /** The history it continues; null for a new conversation. */
  final History previous;
  /** The request's own input, normalised and resolved: the turn's input. */
  final ArrayNode input;
  final InputItems inputItems;

  PendingResponse(String owner, ParsedRequest request, String responseId, long createdAt, History previous,
      ArrayNode input, InputItems inputItems) {
    this.owner = owner;
    this.request = request;
    this.responseId = responseId;
    this.createdAt = createdAt;
    this.previous = previous;
    this.input = input;
    this.inputItems = inputItems;
  }

  /**
   * What the model is asked: the request's parameters, with the whole history then the new input as
   * {@code input}, {@code store:false}, and neither {@code previous_response_id} nor streaming (the
   * layer streams). A new tree each call.
   */
  ObjectNode modelRequest() {
    ObjectNode body = request.body.deepCopy();
    body.remove(List.of("previous_response_id", "stream", "stream_options", "background"));
    ArrayNode items = previous == null ? JsonSupport.MAPPER.createArrayNode() : previous.items().toJsonNode();
    items.addAll(input);
    body.set("input", items);
    body.put("store", false);
    return body;
  }
}
