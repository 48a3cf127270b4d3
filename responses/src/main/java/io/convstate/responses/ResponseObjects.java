package io.convstate.responses;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.Turn;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The response object as OpenAI returns it, in OpenAI's field order: built from the request, the
 * model's answer and the layer's ids, and rebuilt on retrieve from the stored turn and its
 * metadata. The turn holds id, created_at, model, output and previous_response_id; the metadata
 * holds every other field (status, usage, instructions, the request's metadata, the model
 * settings). Stateless and thread-safe.
 */
final class ResponseObjects {

  private static final JsonNodeFactory NODES = JsonSupport.MAPPER.getNodeFactory();

  /** Every field, in OpenAI's order, with the value used when neither model nor request gives one. */
  private static final Map<String, JsonNode> FIELDS = new LinkedHashMap<>();
  /** Fields kept by the turn itself rather than its metadata. */
  private static final Set<String> TURN_FIELDS = Set.of("id", "object", "created_at", "model", "output",
      "previous_response_id", "store");
  /** Fields of the request's own, never taken from the model's answer. */
  private static final Set<String> REQUEST_FIELDS = Set.of("instructions", "metadata");
  /** Fields only the model's answer gives, never the request. */
  private static final Set<String> ANSWER_FIELDS = Set.of("status", "completed_at", "error", "incomplete_details",
      "usage");
  /** What a model's answer may hold that the response object never repeats. */
  private static final Set<String> DROPPED = Set.of("output_text", "conversation", "prompt");

  static {
    ObjectNode reasoning = NODES.objectNode().putNull("effort").putNull("summary");
    ObjectNode text = NODES.objectNode();
    text.putObject("format").put("type", "text");
    FIELDS.put("id", NODES.nullNode());
    FIELDS.put("object", NODES.textNode("response"));
    FIELDS.put("created_at", NODES.nullNode());
    FIELDS.put("status", NODES.textNode("completed"));
    FIELDS.put("background", NODES.booleanNode(false));
    FIELDS.put("completed_at", NODES.nullNode());
    FIELDS.put("error", NODES.nullNode());
    FIELDS.put("incomplete_details", NODES.nullNode());
    FIELDS.put("instructions", NODES.nullNode());
    FIELDS.put("max_output_tokens", NODES.nullNode());
    FIELDS.put("max_tool_calls", NODES.nullNode());
    FIELDS.put("model", NODES.nullNode());
    FIELDS.put("output", NODES.arrayNode());
    FIELDS.put("parallel_tool_calls", NODES.booleanNode(true));
    FIELDS.put("previous_response_id", NODES.nullNode());
    FIELDS.put("prompt_cache_key", NODES.nullNode());
    FIELDS.put("reasoning", reasoning);
    FIELDS.put("safety_identifier", NODES.nullNode());
    FIELDS.put("service_tier", NODES.textNode("default"));
    FIELDS.put("store", NODES.booleanNode(true));
    FIELDS.put("temperature", NODES.numberNode(1));
    FIELDS.put("text", text);
    FIELDS.put("tool_choice", NODES.textNode("auto"));
    FIELDS.put("tools", NODES.arrayNode());
    FIELDS.put("top_logprobs", NODES.numberNode(0));
    FIELDS.put("top_p", NODES.numberNode(1));
    FIELDS.put("truncation", NODES.textNode("disabled"));
    FIELDS.put("usage", null); // present only when the model reported it
    FIELDS.put("user", NODES.nullNode());
    FIELDS.put("metadata", NODES.objectNode());
  }

  private ResponseObjects() {}

  /**
   * The response object of a pending response.
   *
   * @param answer the model's answer (a response object); null before the model answered
   * @param output the output items, with ids
   * @param status {@code in_progress}, {@code completed}, {@code incomplete} or {@code failed}
   * @param error the error object of a failed response; null otherwise
   * @param completedAt Unix seconds; null unless completed
   */
  static ObjectNode of(PendingResponse pending, ObjectNode answer, ArrayNode output, String status, JsonNode error,
      Long completedAt) {
    ParsedRequest request = pending.request;
    ObjectNode response = NODES.objectNode();
    for (Map.Entry<String, JsonNode> field : FIELDS.entrySet()) {
      String name = field.getKey();
      JsonNode value = REQUEST_FIELDS.contains(name) || answer == null ? null : answer.get(name);
      if (value == null && !ANSWER_FIELDS.contains(name)) {
        value = request.parameter(name);
      }
      if (value == null || value.isNull() && field.getValue() != null && !field.getValue().isNull()) {
        value = field.getValue();
      }
      if (value != null) {
        response.set(name, value.deepCopy());
      }
    }
    response.put("id", pending.responseId).put("created_at", pending.createdAt).put("status", status)
        .put("background", false).put("model", answer != null && answer.path("model").isTextual()
            ? answer.get("model").textValue() : request.model)
        .put("previous_response_id", request.previousResponseId).put("store", request.store);
    response.set("output", output);
    response.set("error", error == null ? NODES.nullNode() : error);
    response.set("completed_at", completedAt == null ? NODES.nullNode() : NODES.numberNode(completedAt));
    if (!"incomplete".equals(status)) {
      response.putNull("incomplete_details");
    }
    if (answer != null) {
      for (Iterator<Map.Entry<String, JsonNode>> extra = answer.fields(); extra.hasNext(); ) {
        Map.Entry<String, JsonNode> field = extra.next();
        if (!FIELDS.containsKey(field.getKey()) && !DROPPED.contains(field.getKey())) {
          response.set(field.getKey(), field.getValue().deepCopy());
        }
      }
    }
    return response;
  }

  /** The part of a response object a turn keeps as its metadata: all but the turn's own fields. */
  static String metadataOf(ObjectNode response) {
    ObjectNode metadata = response.deepCopy();
    metadata.remove(TURN_FIELDS);
    return metadata.toString();
  }

  /** The response object of a stored turn: its own fields and its metadata, in OpenAI's order. */
  static ObjectNode of(Turn turn) {
    ObjectNode metadata = parse(turn.metadata().orElse("{}"));
    ObjectNode response = NODES.objectNode();
    for (Map.Entry<String, JsonNode> field : FIELDS.entrySet()) {
      JsonNode value = metadata.has(field.getKey()) ? metadata.get(field.getKey()) : field.getValue();
      if (value != null) {
        response.set(field.getKey(), value);
      }
    }
    response.put("id", turn.responseId()).put("created_at", turn.createdAt()).put("model", turn.model())
        .put("previous_response_id", turn.previousResponseId().orElse(null)).put("store", true);
    response.set("output", turn.output().toJsonNode());
    for (Iterator<Map.Entry<String, JsonNode>> extra = metadata.fields(); extra.hasNext(); ) {
      Map.Entry<String, JsonNode> field = extra.next();
      if (!FIELDS.containsKey(field.getKey())) {
        response.set(field.getKey(), field.getValue());
      }
    }
    return response;
  }

  private static ObjectNode parse(String json) {
    try {
      return (ObjectNode) JsonSupport.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored metadata failed to parse", e);
    }
  }
}
