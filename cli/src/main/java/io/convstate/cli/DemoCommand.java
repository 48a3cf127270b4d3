package io.convstate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.ConversationState;
import io.convstate.PreparedTurn;
import io.convstate.PreviousResponseNotFoundException;
import io.convstate.ResponsesConversations;
import io.convstate.StateStore;
import java.io.PrintWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A four-turn Responses conversation chained with previous_response_id through the configured
 * store, as a host app runs it: the client sends only the new turn; the host rebuilds the history,
 * calls the model (here a scripted one that answers from the history it is given), and stores the
 * new state. Then a request with an unknown previous_response_id.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a multi-turn Responses conversation through the store (memory unless configured).")
final class DemoCommand extends StoreCommand {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern INTRODUCTION = Pattern.compile("My name is (\\w+) and I like (\\w+)");

  @Option(names = "--full", description = "Print whole JSON documents instead of one line per item.")
  boolean full;

  private PrintWriter console;
  private int responses;

  @Override
  public Integer call() throws Exception {
    console = out();
    String run = Long.toString(System.currentTimeMillis(), 36);
    try (StateStore states = store.open(environment())) {
      ResponsesConversations conversations = new ResponsesConversations(states);
      console.println("convstate demo on " + states);
      console.println();
      String previous = null;
      previous = turn(conversations, states, run, previous, text("My name is Alice and I like Python"));
      previous = turn(conversations, states, run, previous, items(message("What's the weather in Paris?")));
      previous = turn(conversations, states, run, previous, items(JSON.createObjectNode()
          .put("type", "function_call_output").put("call_id", "call_weather_" + run)
          .put("output", "{\"temperature\":18,\"condition\":\"light rain\"}")));
      turn(conversations, states, run, previous, message("What is my name and which language do I like?"));

      console.println("== A request whose previous_response_id is unknown");
      ObjectNode request = JSON.createObjectNode().put("model", "demo-model").put("input", "hello")
          .put("previous_response_id", "resp_missing_" + run);
      console.println("client sent:   " + request);
      try {
        conversations.prepare(request.get("previous_response_id"), request.get("input"));
        console.println("host answered: (unexpectedly found)");
        return Main.STORAGE_ERROR;
      } catch (PreviousResponseNotFoundException e) {
        console.println("host answered: HTTP " + e.httpStatus() + " " + e.errorBodyJson());
      }
    }
    return 0;
  }

  private String turn(ResponsesConversations conversations, StateStore states, String run, String previous, JsonNode input)
      throws Exception {
    ObjectNode request = JSON.createObjectNode().put("model", "demo-model");
    request.set("input", input);
    if (previous != null) {
      request.put("previous_response_id", previous);
    }
    console.println("== Turn " + (responses + 1));
    console.println("client sent:      " + request);

    PreparedTurn prepared = conversations.prepare(request.get("previous_response_id"), request.get("input"));
    ArrayNode history = prepared.upstreamInput().toJsonNode();
    console.println("history rebuilt:  " + history.size() + " items sent upstream");
    print(history);

    String responseId = "resp_demo_" + run + "_" + (++responses);
    ArrayNode output = answer(history, run);
    console.println("model answered:   " + responseId);
    print(output);

    conversations.record(prepared, responseId, output, "demo-model", "demo-provider");
    ConversationState stored = states.get(responseId).orElseThrow();
    console.println("stored:           " + responseId + " -> " + stored.items().size() + " items, "
        + stored.items().jsonBytes() + " bytes, updated_at " + stored.updatedAt().map(Object::toString).orElse("-"));
    console.println();
    return responseId;
  }

  /** A scripted model that answers from the history it is sent, as a real one would. */
  private static ArrayNode answer(ArrayNode history, String run) {
    JsonNode last = history.get(history.size() - 1);
    ArrayNode output = JSON.createArrayNode();
    String text = last.path("content").path(0).path("text").asText("");
    if (last.path("type").asText().equals("function_call_output")) {
      output.addObject().put("type", "reasoning").put("id", "rs_" + run)
          .putArray("summary").addObject().put("type", "summary_text").put("text", "The tool says light rain in Paris.");
      output.add(assistant("It is 18°C with light rain in Paris: take an umbrella."));
    } else if (text.contains("weather")) {
      output.addObject().put("type", "function_call").put("id", "fc_" + run).put("call_id", "call_weather_" + run)
          .put("name", "get_weather").put("arguments", "{\"location\":\"Paris, FR\"}").put("status", "completed");
    } else if (text.startsWith("What is my name")) {
      Matcher introduction = null;
      for (JsonNode item : history) {
        Matcher matcher = INTRODUCTION.matcher(item.path("content").path(0).path("text").asText(""));
        if (matcher.find()) {
          introduction = matcher;
        }
      }
      output.add(assistant(introduction == null
          ? "I do not know: that is not in the history I was sent."
          : "Your name is " + introduction.group(1) + ", and you like " + introduction.group(2) + "."));
    } else {
      output.add(assistant("Nice to meet you! Noted."));
    }
    return output;
  }

  private static ObjectNode assistant(String text) {
    ObjectNode message = JSON.createObjectNode().put("type", "message").put("role", "assistant").put("status", "completed");
    message.putArray("content").addObject().put("type", "output_text").put("text", text).putArray("annotations");
    return message;
  }

  private static JsonNode text(String text) {
    return JSON.getNodeFactory().textNode(text);
  }

  private static ObjectNode message(String text) {
    ObjectNode message = JSON.createObjectNode().put("type", "message").put("role", "user");
    message.putArray("content").addObject().put("type", "input_text").put("text", text);
    return message;
  }

  private static ArrayNode items(JsonNode... items) {
    ArrayNode array = JSON.createArrayNode();
    for (JsonNode item : items) {
      array.add(item);
    }
    return array;
  }

  private void print(ArrayNode items) throws Exception {
    if (full) {
      console.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(items));
      return;
    }
    for (JsonNode item : items) {
      String line = item.toString();
      console.println("    " + (line.length() > 150 ? line.substring(0, 147) + "..." : line));
    }
  }
}
