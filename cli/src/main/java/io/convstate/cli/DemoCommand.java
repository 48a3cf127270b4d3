package io.convstate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.History;
import io.convstate.ItemPage;
import io.convstate.ItemQuery;
import io.convstate.PreparedTurn;
import io.convstate.PreviousResponseNotFoundException;
import io.convstate.ResponsesConversations;
import io.convstate.StateStore;
import io.convstate.Turn;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A four-turn Responses conversation chained with previous_response_id through the configured
 * store, as a host app runs it: the client sends only the new turn; the host rebuilds the history,
 * calls the model (here a scripted one that answers from the history it is given), and records the
 * new turn (only the turn: the history before it is never written again). Then what a host serves
 * besides: retrieving a response, listing its input items page by page, another owner asking,
 * deleting a response (its child still loads its whole history), and an unknown
 * previous_response_id.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run a multi-turn Responses conversation through the store (memory unless configured).")
final class DemoCommand extends StoreCommand {

  private static final Pattern INTRODUCTION = Pattern.compile("My name is (\\w+) and I like (\\w+)");
  private static final String OWNER = "tenant_demo";
  private static final String OTHER_OWNER = "tenant_other";

  @Option(names = "--full", description = "Print whole JSON documents instead of one line per item.")
  boolean full;

  private PrintWriter console;
  private final List<String> responseIds = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    console = out();
    String run = Long.toString(System.currentTimeMillis(), 36);
    String notice = store.memoryNotice(environment());
    if (notice != null) {
      console.println(notice);
    }
    try (StateStore states = store.openOrMemory(environment())) {
      ResponsesConversations conversations = new ResponsesConversations(states);
      console.println("convstate demo on " + states + ", as owner " + OWNER);
      console.println();
      String previous = null;
      previous = turn(conversations, run, previous, text("My name is Alice and I like Python"));
      previous = turn(conversations, run, previous, items(message("What's the weather in Paris?")));
      previous = turn(conversations, run, previous, items(TurnJson.JSON.createObjectNode()
          .put("type", "function_call_output").put("call_id", "call_weather_" + run)
          .put("output", "{\"temperature\":18,\"condition\":\"light rain\"}")));
      String last = turn(conversations, run, previous, message("What is my name and which language do I like?"));

      retrieve(states, responseIds.get(1));
      listInputItems(states, last);
      otherOwner(states, last);
      deleteAndContinue(states, conversations, responseIds.get(2), last);
      return unknownPrevious(conversations, run);
    }
  }

  private String turn(ResponsesConversations conversations, String run, String previous, JsonNode input) throws Exception {
    ObjectNode request = TurnJson.JSON.createObjectNode().put("model", "demo-model");
    request.set("input", input);
    if (previous != null) {
      request.put("previous_response_id", previous);
    }
    console.println("== Turn " + (responseIds.size() + 1));
    console.println("client sent:      " + request);

    PreparedTurn prepared = conversations.prepare(OWNER, request.get("previous_response_id"), request.get("input"));
    ArrayNode history = prepared.upstreamInput().toJsonNode();
    console.println("history rebuilt:  " + history.size() + " items sent upstream");
    print(history);

    String responseId = "resp_demo_" + run + "_" + (responseIds.size() + 1);
    ArrayNode output = answer(history, run);
    console.println("model answered:   " + responseId);
    print(output);

    Turn recorded = conversations.record(prepared, responseId, output, "demo-model", "demo-provider");
    console.println("recorded:         " + responseId + " -> this turn only: " + recorded.input().size() + " input + "
        + recorded.output().size() + " output items, " + recorded.jsonBytes() + " bytes, recorded_at "
        + recorded.recordedAt().map(Object::toString).orElse("-"));
    console.println();
    responseIds.add(responseId);
    return responseId;
  }

  /** GET /v1/responses/{id}: the one turn, without its history. */
  private void retrieve(StateStore states, String responseId) throws Exception {
    console.println("== GET /v1/responses/" + responseId + "   (store.turn)");
    Turn turn = states.turn(OWNER, responseId).orElseThrow();
    if (full) {
      console.println(TurnJson.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(TurnJson.turn(turn)));
    } else {
      console.println("response " + turn.responseId() + ", continues " + turn.previousResponseId().orElse("nothing")
          + ", model " + turn.model() + " (" + turn.provider() + "), created_at " + turn.createdAt());
      console.println("its input:");
      print(turn.input().toJsonNode());
      console.println("its output:");
      print(turn.output().toJsonNode());
    }
    console.println();
  }

  /** GET /v1/responses/{id}/input_items, oldest first, three a page, following the cursor. */
  private void listInputItems(StateStore states, String responseId) {
    console.println("== GET /v1/responses/" + responseId + "/input_items?order=asc&limit=3   (store.inputItems, page by page)");
    ItemQuery query = ItemQuery.of(null, null, 3, ItemQuery.Order.ASC);
    for (int page = 1; ; page++) {
      ItemPage items = states.inputItems(OWNER, responseId, query).orElseThrow();
      List<String> ids = new ArrayList<>();
      items.data().forEach(item -> ids.add(item.id()));
      console.println("page " + page + ": " + String.join(", ", ids) + "   has_more=" + items.hasMore()
          + (items.hasMore() ? ", next: after=" + items.lastId() : ""));
      if (!items.hasMore()) {
        break;
      }
      query = query.after(items.lastId());
    }
    console.println();
  }

  /** Another owner's view: exactly what an unknown id gives. */
  private void otherOwner(StateStore states, String responseId) {
    console.println("== " + OTHER_OWNER + " asks for " + responseId);
    console.println("turn: " + (states.turn(OTHER_OWNER, responseId).isPresent() ? "found (unexpected)" : "not found")
        + ", input items: " + (states.inputItems(OTHER_OWNER, responseId, ItemQuery.firstPage()).isPresent()
            ? "found (unexpected)" : "not found") + "   (exactly as for an unknown id)");
    console.println();
  }

  /** DELETE /v1/responses/{id}: gone, cannot be continued, and its child keeps its whole history. */
  private void deleteAndContinue(StateStore states, ResponsesConversations conversations, String deleted, String child) {
    console.println("== DELETE /v1/responses/" + deleted + "   (store.delete)");
    console.println("deleted: " + states.delete(OWNER, deleted) + "; GET it now: "
        + (states.turn(OWNER, deleted).isPresent() ? "found (unexpected)" : "not found"));
    History history = states.history(OWNER, child).orElseThrow();
    console.println("history of " + child + ", which continues it: " + history.size() + " turns, " + history.items().size()
        + " items, still whole (" + String.join(" -> ", history.responseIds()) + ")");
    try {
      conversations.prepare(OWNER, deleted, text("continue the deleted response"));
      console.println("continuing " + deleted + ": (unexpectedly found)");
    } catch (PreviousResponseNotFoundException e) {
      console.println("continuing " + deleted + ": HTTP " + e.httpStatus() + " previous_response_not_found");
    }
    console.println();
  }

  private int unknownPrevious(ResponsesConversations conversations, String run) {
    console.println("== A request whose previous_response_id is unknown");
    ObjectNode request = TurnJson.JSON.createObjectNode().put("model", "demo-model").put("input", "hello")
        .put("previous_response_id", "resp_missing_" + run);
    console.println("client sent:   " + request);
    try {
      conversations.prepare(OWNER, request.get("previous_response_id"), request.get("input"));
      console.println("host answered: (unexpectedly found)");
      return Main.STORAGE_ERROR;
    } catch (PreviousResponseNotFoundException e) {
      console.println("host answered: HTTP " + e.httpStatus() + " " + e.errorBodyJson());
      return 0;
    }
  }

  /** A scripted model that answers from the history it is sent, as a real one would. */
  private static ArrayNode answer(ArrayNode history, String run) {
    JsonNode last = history.get(history.size() - 1);
    ArrayNode output = TurnJson.JSON.createArrayNode();
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
    ObjectNode message = TurnJson.JSON.createObjectNode().put("type", "message").put("role", "assistant").put("status", "completed");
    message.putArray("content").addObject().put("type", "output_text").put("text", text).putArray("annotations");
    return message;
  }

  private static JsonNode text(String text) {
    return TurnJson.JSON.getNodeFactory().textNode(text);
  }

  private static ObjectNode message(String text) {
    ObjectNode message = TurnJson.JSON.createObjectNode().put("type", "message").put("role", "user");
    message.putArray("content").addObject().put("type", "input_text").put("text", text);
    return message;
  }

  private static ArrayNode items(JsonNode... items) {
    ArrayNode array = TurnJson.JSON.createArrayNode();
    for (JsonNode item : items) {
      array.add(item);
    }
    return array;
  }

  private void print(ArrayNode items) throws Exception {
    if (full) {
      console.println(TurnJson.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(items));
      return;
    }
    for (JsonNode item : items) {
      console.println("    " + clip(item.toString()));
    }
  }

  private static String clip(String line) {
    return line.length() > 150 ? line.substring(0, 147) + "..." : line;
  }
}
