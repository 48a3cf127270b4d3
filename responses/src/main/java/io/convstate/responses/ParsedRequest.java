package io.convstate.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated {@code POST /v1/responses} body: the fields the layer acts on, the normalised input
 * (item references not yet resolved) and the whole body, whose other parameters (tools,
 * temperature, ...) go to the model unchanged. Made by {@link RequestParser}; not shared between
 * threads.
 */
final class ParsedRequest {

  final ObjectNode body;
  final String model;
  final ArrayNode input;
  final String previousResponseId;
  /** The request's instructions; null when none. */
  final String instructions;
  final boolean store;
  final boolean stream;
  /** The request's metadata object; null when none. */
  final ObjectNode metadata;

  ParsedRequest(ObjectNode body, String model, ArrayNode input, String previousResponseId, String instructions,
      boolean store, boolean stream, ObjectNode metadata) {
    this.body = body;
    this.model = model;
    this.input = input;
    this.previousResponseId = previousResponseId;
    this.instructions = instructions;
    this.store = store;
    this.stream = stream;
    this.metadata = metadata;
  }

  /** A request parameter as given; null when absent. */
  JsonNode parameter(String name) {
    return body.get(name);
  }
}
