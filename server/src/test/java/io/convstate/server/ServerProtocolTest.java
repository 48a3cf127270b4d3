package io.convstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.convstate.memory.MemoryStateStore;
import io.convstate.responses.Responses;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The protocol as a client sees it, over HTTP against the reference server on the memory store with
 * the echo model: the same checks as the Node suite that drives it with the official SDK
 * (server/src/test/node), for developers without Node.
 */
@DisplayName("The reference server, over HTTP")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerProtocolTest {

  private static final String KEY = "sk-test-alice";
  private static final String OTHER_KEY = "sk-test-bob";

  private OutageStore store;
  private ResponsesServer server;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    store = new OutageStore(new MemoryStateStore());
    server = ResponsesServer.start(new InetSocketAddress("127.0.0.1", 0), new Responses(store, "echo"), new EchoModel());
    api = new Api(server.baseUrl());
  }

  @AfterAll
  void stop() {
    server.close();
    store.close();
  }

  private Api.Result turn(String key, String previous, String input) {
    Api.Result result = api.post(key, "{'model':'echo','input':" + input
        + (previous == null ? "" : ",'previous_response_id':'" + previous + "'") + "}");
    assertThat(result.status()).as(result.json().toString()).isEqualTo(200);
    return result;
  }

  private Api.Result say(String previous, String text) {
    return turn(KEY, previous, Api.JSON.getNodeFactory().textNode(text).toString());
  }

  /** Every input item's text of a response, oldest first, read page by page. */
  private List<String> history(String key, String responseId) {
    List<String> texts = new ArrayList<>();
    String after = null;
    boolean more = true;
    while (more) {
      Api.Result page = api.get(key, "/responses/" + responseId + "/input_items?order=asc&limit=7"
          + (after == null ? "" : "&after=" + after));
      assertThat(page.status()).isEqualTo(200);
      for (JsonNode item : page.json().get("data")) {
        texts.add(item.path("type").asText().equals("message")
            ? item.get("content").get(0).get("text").asText() : item.get("type").asText());
      }
      after = page.json().get("last_id").asText();
      more = page.json().get("has_more").asBoolean();
    }
    return texts;
  }

  @Nested
  @DisplayName("a conversation")
  class Conversation {

    @Test
    @DisplayName("of six turns chained by previous_response_id rebuilds the whole history each turn")
    void sixTurns() {
      String previous = null;
      for (int turn = 1; turn <= 6; turn++) {
        Api.Result response = say(previous, "message " + turn);
        assertThat(response.text()).isEqualTo("echo " + turn + ": message " + turn);
        assertThat(response.json().get("previous_response_id").isNull() ? null
            : response.json().get("previous_response_id").asText()).isEqualTo(previous);
        previous = response.id();
      }
      assertThat(history(KEY, previous)).hasSize(11).startsWith("message 1", "echo 1: message 1").endsWith("message 6");
    }

    @Test
    @DisplayName("with a function_call answered by a function_call_output continues the same history")
    void toolCall() {
      Api.Result call = say(null, "call get_weather {\"city\":\"Paris\"}");
      JsonNode item = call.json().get("output").get(0);
      assertThat(item.get("type").asText()).isEqualTo("function_call");
      assertThat(item.get("id").asText()).startsWith("fc_");
      String output = "[{'type':'function_call_output','call_id':'" + item.get("call_id").asText()
          + "','output':'{\\\"temperature\\\":18}'}]";
      Api.Result answer = turn(KEY, call.id(), output);
      assertThat(answer.text()).isEqualTo("tool get_weather returned {\"temperature\":18}");
      Api.Result next = say(answer.id(), "thanks");
      assertThat(next.text()).isEqualTo("echo 2: thanks");
      assertThat(history(KEY, next.id())).containsExactly("call get_weather {\"city\":\"Paris\"}", "function_call",
          "function_call_output", "tool get_weather returned {\"temperature\":18}", "thanks");
    }

    @Test
    @DisplayName("forked from one response gives each branch its own history")
    void fork() {
      String root = say(null, "root").id();
      Api.Result left = say(root, "left");
      Api.Result right = say(root, "right");
      Api.Result leftAgain = say(left.id(), "left again");
      assertThat(leftAgain.text()).isEqualTo("echo 3: left again");
      assertThat(history(KEY, right.id())).containsExactly("root", "echo 1: root", "right");
      assertThat(history(KEY, leftAgain.id())).containsExactly("root", "echo 1: root", "left", "echo 2: left", "left again");
    }
  }

  @Nested
  @DisplayName("errors")
  class Errors {

    @Test
    @DisplayName("an unknown previous_response_id is OpenAI's 400 previous_response_not_found")
    void unknownPrevious() {
      Api.Result result = api.post(KEY, "{'model':'echo','input':'x','previous_response_id':'resp_unknown'}");
      assertThat(result.status()).isEqualTo(400);
      assertThat(result.json().toString()).isEqualTo("{\"error\":{\"message\":\"Previous response with id 'resp_unknown' "
          + "not found.\",\"type\":\"invalid_request_error\",\"param\":\"previous_response_id\",\"code\":\"previous_response_not_found\"}}");
    }

    @Test
    @DisplayName("a request without an API key is a 401")
    void noKey() {
      Api.Result result = api.post(null, "{'model':'echo','input':'x'}");
      assertThat(result.status()).isEqualTo(401);
      assertThat(result.error().get("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    @DisplayName("a bad request is a 400 naming the parameter")
    void badRequest() {
      Api.Result result = api.post(KEY, "{'model':'echo','input':'x','metadata':{'k':1}}");
      assertThat(result.status()).isEqualTo(400);
      assertThat(result.error().get("param").asText()).isEqualTo("metadata.k");
    }
  }

  @Nested
  @DisplayName("reading and deleting")
  class Reading {

    @Test
    @DisplayName("retrieve answers the response as created; an unknown id is a 404")
    void retrieve() {
      Api.Result created = api.post(KEY, "{'model':'echo','input':'x','metadata':{'ticket':'T-1'}}");
      Api.Result retrieved = api.get(KEY, "/responses/" + created.id());
      assertThat(retrieved.status()).isEqualTo(200);
      assertThat(retrieved.json()).isEqualTo(created.json());
      assertThat(retrieved.json().get("metadata").get("ticket").asText()).isEqualTo("T-1");
      assertThat(api.get(KEY, "/responses/resp_unknown").status()).isEqualTo(404);
    }

    @Test
    @DisplayName("input items page newest first by default, 20 a page")
    void inputItems() {
      String previous = null;
      for (int i = 1; i <= 12; i++) {
        previous = say(previous, "m" + i).id();
      }
      Api.Result page = api.get(KEY, "/responses/" + previous + "/input_items");
      assertThat(page.json().get("object").asText()).isEqualTo("list");
      assertThat(page.json().get("data")).hasSize(20);
      assertThat(page.json().get("data").get(0).get("content").get(0).get("text").asText()).isEqualTo("m12");
      assertThat(page.json().get("has_more").asBoolean()).isTrue();
      Api.Result rest = api.get(KEY, "/responses/" + previous + "/input_items?after=" + page.json().get("last_id").asText());
      assertThat(rest.json().get("data")).hasSize(3);
      assertThat(rest.json().get("has_more").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("delete answers OpenAI's deletion object; the response is then 404, its child still whole")
    void delete() {
      String first = say(null, "one").id();
      String second = say(first, "two").id();
      Api.Result deleted = api.delete(KEY, "/responses/" + first);
      assertThat(deleted.json().toString()).isEqualTo("{\"id\":\"" + first + "\",\"object\":\"response.deleted\",\"deleted\":true}");
      assertThat(api.get(KEY, "/responses/" + first).status()).isEqualTo(404);
      assertThat(say(second, "three").text()).isEqualTo("echo 3: three");
    }

    @Test
    @DisplayName("store:false keeps nothing: retrieving is 404 and continuing is previous_response_not_found")
    void storeFalse() {
      Api.Result response = api.post(KEY, "{'model':'echo','input':'x','store':false}");
      assertThat(response.json().get("store").asBoolean()).isFalse();
      assertThat(api.get(KEY, "/responses/" + response.id()).status()).isEqualTo(404);
      Api.Result next = api.post(KEY, "{'model':'echo','input':'y','previous_response_id':'" + response.id() + "'}");
      assertThat(next.error().get("code").asText()).isEqualTo("previous_response_not_found");
    }

    @Test
    @DisplayName("instructions apply to their own response only")
    void instructions() {
      Api.Result first = api.post(KEY, "{'model':'echo','input':'hi','instructions':'Be terse.'}");
      assertThat(first.text()).isEqualTo("echo 1: hi [instructions: Be terse.]");
      assertThat(first.json().get("instructions").asText()).isEqualTo("Be terse.");
      Api.Result second = say(first.id(), "again");
      assertThat(second.text()).isEqualTo("echo 2: again");
      assertThat(second.json().get("instructions").isNull()).isTrue();
    }
  }

  @Nested
  @DisplayName("two API keys")
  class Keys {

    @Test
    @DisplayName("cannot see, continue, list or delete each other's responses: all answer as unknown")
    void isolated() {
      String alices = say(null, "secret").id();
      assertThat(api.get(OTHER_KEY, "/responses/" + alices).status()).isEqualTo(404);
      assertThat(api.get(OTHER_KEY, "/responses/" + alices + "/input_items").status()).isEqualTo(404);
      assertThat(api.delete(OTHER_KEY, "/responses/" + alices).status()).isEqualTo(404);
      Api.Result continued = api.post(OTHER_KEY, "{'model':'echo','input':'x','previous_response_id':'" + alices + "'}");
      assertThat(continued.error().get("code").asText()).isEqualTo("previous_response_not_found");
      assertThat(api.get(KEY, "/responses/" + alices).status()).isEqualTo(200);
    }
  }

  @Nested
  @DisplayName("streaming")
  class Streaming {

    @Test
    @DisplayName("sends OpenAI's events in order and records the response when the stream completes")
    void streams() {
      String first = say(null, "one").id();
      List<JsonNode> events = api.stream(KEY, "{'model':'echo','input':'two','stream':true,'previous_response_id':'" + first + "'}");
      List<String> types = new ArrayList<>();
      events.forEach(event -> types.add(event.get("type").asText()));
      assertThat(types).startsWith("response.created", "response.in_progress", "response.output_item.added",
          "response.content_part.added", "response.output_text.delta").endsWith("response.output_text.done",
          "response.content_part.done", "response.output_item.done", "response.completed");
      JsonNode completed = events.get(events.size() - 1).get("response");
      assertThat(completed.get("output").get(0).get("content").get(0).get("text").asText()).isEqualTo("echo 2: two");
      assertThat(api.get(KEY, "/responses/" + completed.get("id").asText()).json()).isEqualTo(completed);
    }

    @Test
    @DisplayName("that fails records nothing")
    void failedStream() {
      List<JsonNode> events = api.stream(KEY, "{'model':'echo','input':'" + EchoModel.FAIL + "','stream':true}");
      JsonNode last = events.get(events.size() - 1);
      assertThat(last.get("type").asText()).isEqualTo("response.failed");
      assertThat(api.get(KEY, "/responses/" + last.get("response").get("id").asText()).status()).isEqualTo(404);
    }
  }

  @Nested
  @DisplayName("under load and outage")
  class Load {

    @Test
    @DisplayName("50 conversations of 10 turns at once each keep exactly their own history")
    void concurrentConversations() throws Exception {
      ExecutorService pool = Executors.newFixedThreadPool(50);
      try {
        List<Future<String>> lasts = new ArrayList<>();
        for (int c = 0; c < 50; c++) {
          int conversation = c;
          lasts.add(pool.submit(() -> {
            String previous = null;
            for (int t = 1; t <= 10; t++) {
              Api.Result response = say(previous, "c" + conversation + " t" + t);
              assertThat(response.text()).isEqualTo("echo " + t + ": c" + conversation + " t" + t);
              previous = response.id();
            }
            return previous;
          }));
        }
        for (int c = 0; c < 50; c++) {
          List<String> expected = new ArrayList<>();
          for (int t = 1; t <= 10; t++) {
            expected.add("c" + c + " t" + t);
            if (t < 10) {
              expected.add("echo " + t + ": c" + c + " t" + t);
            }
          }
          assertThat(history(KEY, lasts.get(c).get(60, TimeUnit.SECONDS))).isEqualTo(expected);
        }
      } finally {
        pool.shutdownNow();
      }
    }

    @Test
    @DisplayName("a store outage is a 503 without connection details; the conversation continues when it is back")
    void outage() {
      String first = say(null, "before").id();
      store.down(true);
      try {
        Api.Result down = api.post(KEY, "{'model':'echo','input':'during','previous_response_id':'" + first + "'}");
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.json().toString()).doesNotContain("db.internal").doesNotContain("5432");
        assertThat(api.get(KEY, "/responses/" + first).status()).isEqualTo(503);
      } finally {
        store.down(false);
      }
      assertThat(say(first, "after").text()).isEqualTo("echo 2: after");
    }
  }

  @Test
  @DisplayName("the first line printed names the URL and the memory store")
  void firstLine() throws Exception {
    StringWriter out = new StringWriter();
    try (ResponsesServer another = Main.serve(new MemoryStateStore(), "memory", "127.0.0.1", 0, new EchoModel(),
        new PrintWriter(out, true))) {
      String first = out.toString().lines().findFirst().orElseThrow();
      assertThat(first).contains(another.baseUrl().toString()).contains("store: memory");
    }
  }
}
