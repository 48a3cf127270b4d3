package io.convstate.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.StrictJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Shared helpers of the layer's tests: JSON, a scripted model, reading replies and events. */
final class Fixtures {

  static final ObjectMapper JSON = StrictJson.newMapper();
  static final String OWNER = "owner-a";
  static final String OTHER_OWNER = "owner-b";

  private Fixtures() {}

  static byte[] body(String json) {
    return json.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  static JsonNode json(Reply reply) {
    try {
      return JSON.readTree(reply.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode error(Reply reply) {
    return json(reply).get("error");
  }

  /** A model that answers "echo: <last user text>" without item ids, and counts its calls. */
  static final class EchoModel implements Model {
    final AtomicInteger calls = new AtomicInteger();
    volatile ObjectNode lastRequest;

    @Override
    public ObjectNode respond(ObjectNode request) {
      calls.incrementAndGet();
      lastRequest = request;
      String text = "";
      for (JsonNode item : request.get("input")) {
        if ("user".equals(item.path("role").asText())) {
          text = item.path("content").path(0).path("text").asText();
        }
      }
      ObjectNode answer = JSON.createObjectNode().put("status", "completed");
      ArrayNode output = answer.putArray("output");
      ObjectNode message = output.addObject().put("type", "message").put("status", "completed").put("role", "assistant");
      message.putArray("content").addObject().put("type", "output_text").put("text", "echo: " + text)
          .putArray("annotations");
      answer.putObject("usage").put("input_tokens", 3).put("output_tokens", 2).put("total_tokens", 5);
      return answer;
    }
  }

  /** The events of a stream reply, written to memory. */
  static List<JsonNode> events(Reply reply) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      reply.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<JsonNode> events = new ArrayList<>();
    for (String block : out.toString(StandardCharsets.UTF_8).split("\n\n")) {
      if (block.isBlank()) {
        continue;
      }
      String[] lines = block.split("\n");
      try {
        ObjectNode data = (ObjectNode) JSON.readTree(lines[1].substring("data: ".length()));
        if (!lines[0].equals("event: " + data.get("type").asText())) {
          throw new AssertionError("event name " + lines[0] + " differs from its type " + data.get("type"));
        }
        events.add(data);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return events;
  }

  static List<String> types(List<JsonNode> events) {
    List<String> types = new ArrayList<>();
    events.forEach(event -> types.add(event.get("type").asText()));
    return types;
  }
}
