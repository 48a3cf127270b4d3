package io.convstate.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a streamed response as OpenAI's server-sent events, numbering them with
 * {@code sequence_number} from 0: {@code response.created}, {@code response.in_progress}; for each
 * output item {@code response.output_item.added}, its content parts
 * ({@code response.content_part.added}, {@code response.output_text.delta}...,
 * {@code response.output_text.done}, {@code response.content_part.done}) or function call
 * arguments ({@code response.function_call_arguments.delta}/{@code .done}), then
 * {@code response.output_item.done}; and finally {@code response.completed},
 * {@code response.failed} or {@code error}. Each event is flushed as it is written.
 *
 * <p>One per stream; not thread-safe.
 */
final class ServerSentEvents {

  /** Text deltas per content part at most: long texts are cut in fewer, longer pieces. */
  private static final int MAX_DELTAS = 64;

  private final OutputStream out;
  private int sequence;

  ServerSentEvents(OutputStream out) {
    this.out = out;
  }

  /** {@code response.created} then {@code response.in_progress}, both with the in-progress response. */
  void started(ObjectNode response) throws IOException {
    send("response.created", event("response.created").set("response", response));
    send("response.in_progress", event("response.in_progress").set("response", response));
  }

  /** The events of each output item, in order. */
  void output(ArrayNode output) throws IOException {
    for (int index = 0; index < output.size(); index++) {
      ObjectNode item = (ObjectNode) output.get(index);
      String id = item.path("id").asText();
      String type = item.path("type").asText();
      ObjectNode added = item.deepCopy();
      if (added.has("status")) {
        added.put("status", "in_progress");
      }
      if (type.equals("message") && item.path("content").isArray()) {
        added.putArray("content");
      } else if (type.equals("function_call")) {
        added.put("arguments", "");
      }
      send("response.output_item.added", event("response.output_item.added").put("output_index", index).set("item", added));
      if (type.equals("message") && item.path("content").isArray()) {
        contentParts(id, index, (ArrayNode) item.get("content"));
      } else if (type.equals("function_call")) {
        String arguments = item.path("arguments").asText();
        send("response.function_call_arguments.delta", event("response.function_call_arguments.delta")
            .put("item_id", id).put("output_index", index).put("delta", arguments));
        send("response.function_call_arguments.done", event("response.function_call_arguments.done")
            .put("item_id", id).put("name", item.path("name").asText()).put("output_index", index)
            .put("arguments", arguments));
      }
      send("response.output_item.done", event("response.output_item.done").put("output_index", index).set("item", item));
    }
  }

  void completed(ObjectNode response) throws IOException {
    send("response.completed", event("response.completed").set("response", response));
  }

  void failed(ObjectNode response) throws IOException {
    send("response.failed", event("response.failed").set("response", response));
  }

  /** OpenAI's {@code error} event: the error's code, message and param. */
  void error(ResponsesError error) throws IOException {
    send("error", event("error").put("code", error.code() == null ? error.type() : error.code())
        .put("message", error.getMessage()).put("param", error.param()));
  }

  private void contentParts(String itemId, int index, ArrayNode parts) throws IOException {
    for (int part = 0; part < parts.size(); part++) {
      JsonNode full = parts.get(part);
      boolean text = "output_text".equals(full.path("type").asText());
      ObjectNode empty = full.deepCopy();
      if (text) {
        empty.put("text", "");
      }
      send("response.content_part.added", partEvent("response.content_part.added", itemId, index, part).set("part", empty));
      if (text) {
        String whole = full.path("text").asText();
        for (String delta : deltas(whole)) {
          send("response.output_text.delta", partEvent("response.output_text.delta", itemId, index, part)
              .put("delta", delta).set("logprobs", JsonSupport.MAPPER.createArrayNode()));
        }
        send("response.output_text.done", partEvent("response.output_text.done", itemId, index, part)
            .put("text", whole).set("logprobs", JsonSupport.MAPPER.createArrayNode()));
      }
      send("response.content_part.done", partEvent("response.content_part.done", itemId, index, part).set("part", full));
    }
  }

  /** The text in pieces that end after a space, at most {@link #MAX_DELTAS} of them. */
  static List<String> deltas(String text) {
    List<String> pieces = new ArrayList<>();
    int minimum = Math.max(1, text.length() / MAX_DELTAS);
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if ((text.charAt(i) == ' ' && i + 1 - start >= minimum || i + 1 - start >= Math.max(minimum, 32))
          && !Character.isHighSurrogate(text.charAt(i))) {
        pieces.add(text.substring(start, i + 1));
        start = i + 1;
      }
    }
    if (start < text.length() || pieces.isEmpty()) {
      pieces.add(text.substring(start));
    }
    return pieces;
  }

  private ObjectNode partEvent(String type, String itemId, int outputIndex, int contentIndex) {
    return event(type).put("item_id", itemId).put("output_index", outputIndex).put("content_index", contentIndex);
  }

  private ObjectNode event(String type) {
    return JsonSupport.MAPPER.createObjectNode().put("type", type);
  }

  private void send(String name, JsonNode data) throws IOException {
    ((ObjectNode) data).put("sequence_number", sequence++);
    out.write(("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
