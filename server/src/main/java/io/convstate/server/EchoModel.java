package io.convstate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.responses.Model;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic model for demos and tests; it answers from the history it is sent, so a test can
 * see that the history was rebuilt:
 *
 * <ul>
 *   <li>to user text {@code T}, the assistant message {@code echo N: T}, N being the number of user
 *       messages in the history (1 for a conversation's first turn);
 *   <li>to user text {@code call NAME ARGS} (ARGS a JSON object, optional), a {@code function_call}
 *       of NAME with ARGS and a {@code call_id} derived from the history's length;
 *   <li>when the last input item is a {@code function_call_output}, the message
 *       {@code tool NAME returned OUTPUT};
 *   <li>to user text {@code echo:fail}, an exception (as a model outage);
 *   <li>with {@code instructions}, the message ends with {@code [instructions: I]}.
 * </ul>
 *
 * <p>Output items carry no ids (the layer gives them); usage counts input items and output words,
 * not tokens. Stateless and thread-safe.
 */
public final class EchoModel implements Model {

  /** The user text that makes the model fail. */
  public static final String FAIL = "echo:fail";

  private static final Pattern CALL = Pattern.compile("call (\\w+)(?:\\s+(\\{.*}))?", Pattern.DOTALL);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Override
  public ObjectNode respond(ObjectNode request) {
    JsonNode input = request.get("input");
    JsonNode last = input.get(input.size() - 1);
    int userMessages = 0;
    String text = "";
    String callName = null;
    for (JsonNode item : input) {
      if ("user".equals(item.path("role").asText())) {
        userMessages++;
        text = text(item);
      } else if ("function_call".equals(item.path("type").asText())) {
        callName = item.path("name").asText();
      }
    }
    ObjectNode answer = NODES.objectNode().put("model", request.path("model").asText()).put("status", "completed");
    Matcher call = CALL.matcher(text);
    if ("function_call_output".equals(last.path("type").asText())) {
      answer.putArray("output").add(message("tool " + callName + " returned " + last.path("output").asText(), request));
    } else if (text.equals(FAIL)) {
      throw new IllegalStateException("the echo model was asked to fail");
    } else if (call.matches() && last.path("role").asText().equals("user")) {
      answer.putArray("output").addObject().put("type", "function_call").put("status", "completed")
          .put("call_id", "call_" + call.group(1) + "_" + input.size()).put("name", call.group(1))
          .put("arguments", call.group(2) == null ? "{}" : call.group(2));
    } else {
      answer.putArray("output").add(message("echo " + userMessages + ": " + text, request));
    }
    int words = answer.get("output").toString().split("\\s+").length;
    ObjectNode usage = answer.putObject("usage").put("input_tokens", input.size());
    usage.putObject("input_tokens_details").put("cached_tokens", 0);
    usage.put("output_tokens", words);
    usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
    usage.put("total_tokens", input.size() + words);
    return answer;
  }

  private static String text(JsonNode message) {
    JsonNode content = message.path("content");
    if (content.isTextual()) {
      return content.textValue();
    }
    StringBuilder text = new StringBuilder();
    for (JsonNode part : content) {
      text.append(part.path("text").asText());
    }
    return text.toString();
  }

  private static ObjectNode message(String text, ObjectNode request) {
    String said = request.path("instructions").isTextual()
        ? text + " [instructions: " + request.get("instructions").textValue() + "]" : text;
    ObjectNode message = NODES.objectNode().put("type", "message").put("role", "assistant").put("status", "completed");
    ObjectNode part = message.putArray("content").addObject().put("type", "output_text").put("text", said);
    part.putArray("annotations");
    part.putArray("logprobs");
    return message;
  }

  @Override
  public String toString() {
    return "echo";
  }
}
