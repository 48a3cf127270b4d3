package io.convstate.responses;

import static io.convstate.responses.Fixtures.OTHER_OWNER;
import static io.convstate.responses.Fixtures.OWNER;
import static io.convstate.responses.Fixtures.body;
import static io.convstate.responses.Fixtures.error;
import static io.convstate.responses.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.convstate.memory.MemoryStateStore;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Reading and deleting responses")
class ReadResponsesTest {

  private MemoryStateStore store;
  private Responses responses;
  private final Fixtures.EchoModel model = new Fixtures.EchoModel();

  @BeforeEach
  void setUp() {
    store = new MemoryStateStore();
    responses = new Responses(store, "echo");
  }

  private JsonNode create(String owner, String json) {
    return json(responses.create(owner, body(json), model));
  }

  /** A chain of n turns; returns the response objects. */
  private List<JsonNode> chain(int turns) {
    List<JsonNode> chain = new ArrayList<>();
    String previous = null;
    for (int i = 1; i <= turns; i++) {
      chain.add(create(OWNER, "{'model':'m','input':'turn " + i + "'"
          + (previous == null ? "" : ",'previous_response_id':'" + previous + "'") + "}"));
      previous = chain.get(chain.size() - 1).get("id").asText();
    }
    return chain;
  }

  @Nested
  @DisplayName("GET /v1/responses/{id}")
  class Retrieve {

    @Test
    @DisplayName("answers the response object exactly as it was created")
    void sameAsCreated() {
      JsonNode created = create(OWNER, "{'model':'m','input':'hi','instructions':'be kind','metadata':{'a':'b'},"
          + "'temperature':0.5,'tools':[{'type':'function','name':'f','parameters':{}}]}");
      Reply reply = responses.retrieve(OWNER, created.get("id").asText());
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo(created.toString());
    }

    @Test
    @DisplayName("of an unknown, another owner's or a deleted response is the same 404")
    void notFound() {
      String id = create(OTHER_OWNER, "{'model':'m','input':'x'}").get("id").asText();
      Reply foreign = responses.retrieve(OWNER, id);
      assertThat(foreign.status()).isEqualTo(404);
      assertThat(foreign.body()).isEqualTo("{\"error\":{\"message\":\"Response with id '" + id + "' not found.\","
          + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
      responses.delete(OTHER_OWNER, id);
      assertThat(responses.retrieve(OTHER_OWNER, id).body()).isEqualTo(foreign.body());
    }

    @Test
    @DisplayName("of a malformed id is OpenAI's 400")
    void malformed() {
      Reply reply = responses.retrieve(OWNER, "chatcmpl_1");
      assertThat(reply.status()).isEqualTo(400);
      assertThat(error(reply).get("message").asText()).isEqualTo("Invalid 'response_id': 'chatcmpl_1'. Expected an ID that begins with 'resp'.");
    }
  }

  @Nested
  @DisplayName("GET /v1/responses/{id}/input_items")
  class InputItems {

    @Test
    @DisplayName("is OpenAI's list object, newest first, 20 a page by default")
    void defaults() {
      List<JsonNode> chain = chain(12); // 12 inputs + 11 outputs before the last = 23 items
      JsonNode page = json(responses.inputItems(OWNER, chain.get(11).get("id").asText(), null));
      assertThat(page.get("object").asText()).isEqualTo("list");
      assertThat(page.get("data")).hasSize(20);
      assertThat(page.get("has_more").asBoolean()).isTrue();
      assertThat(page.get("data").get(0).get("content").get(0).get("text").asText()).isEqualTo("turn 12");
      assertThat(page.get("first_id").asText()).isEqualTo(page.get("data").get(0).get("id").asText());
      assertThat(page.get("last_id").asText()).isEqualTo(page.get("data").get(19).get("id").asText());
    }

    @Test
    @DisplayName("pages with after until has_more is false, in either order, every item once")
    void pages() {
      List<JsonNode> chain = chain(6);
      String id = chain.get(5).get("id").asText();
      List<String> texts = new ArrayList<>();
      String after = null;
      boolean more = true;
      while (more) {
        JsonNode page = json(responses.inputItems(OWNER, id, "order=asc&limit=4" + (after == null ? "" : "&after=" + after)));
        page.get("data").forEach(item -> texts.add(item.get("content").get(0).get("text").asText()));
        after = page.get("last_id").asText();
        more = page.get("has_more").asBoolean();
      }
      assertThat(texts).containsExactly("turn 1", "echo: turn 1", "turn 2", "echo: turn 2", "turn 3", "echo: turn 3",
          "turn 4", "echo: turn 4", "turn 5", "echo: turn 5", "turn 6");
    }

    @Test
    @DisplayName("gives every item an id, the output items the ids they were answered with")
    void ids() {
      List<JsonNode> chain = chain(2);
      JsonNode page = json(responses.inputItems(OWNER, chain.get(1).get("id").asText(), "order=asc"));
      assertThat(page.get("data").get(0).get("id").asText()).startsWith("msg_");
      assertThat(page.get("data").get(1).get("id").asText()).isEqualTo(chain.get(0).get("output").get(0).get("id").asText());
    }

    @Test
    @DisplayName("refuses a bad limit, order or cursor with OpenAI's error naming it")
    void badQueries() {
      String id = chain(1).get(0).get("id").asText();
      assertThat(error(responses.inputItems(OWNER, id, "limit=0")).get("code").asText()).isEqualTo("integer_below_min_value");
      assertThat(error(responses.inputItems(OWNER, id, "limit=101")).get("message").asText())
          .isEqualTo("Invalid 'limit': integer above maximum value. Expected a value <= 100, but got 101 instead.");
      assertThat(error(responses.inputItems(OWNER, id, "limit=ten")).get("code").asText()).isEqualTo("invalid_type");
      assertThat(error(responses.inputItems(OWNER, id, "order=up")).get("param").asText()).isEqualTo("order");
      Reply cursor = responses.inputItems(OWNER, id, "after=msg_nowhere");
      assertThat(cursor.status()).isEqualTo(400);
      assertThat(error(cursor).get("param").asText()).isEqualTo("after");
    }

    @Test
    @DisplayName("of another owner's response is 404")
    void foreign() {
      String id = chain(1).get(0).get("id").asText();
      assertThat(responses.inputItems(OTHER_OWNER, id, null).status()).isEqualTo(404);
    }
  }

  @Nested
  @DisplayName("DELETE /v1/responses/{id}")
  class Delete {

    @Test
    @DisplayName("answers OpenAI's deletion object; then the response is 404, and its child keeps its whole history")
    void deletes() {
      List<JsonNode> chain = chain(3);
      String middle = chain.get(1).get("id").asText();
      Reply reply = responses.delete(OWNER, middle);
      assertThat(reply.status()).isEqualTo(200);
      assertThat(reply.body()).isEqualTo("{\"id\":\"" + middle + "\",\"object\":\"response.deleted\",\"deleted\":true}");
      assertThat(responses.retrieve(OWNER, middle).status()).isEqualTo(404);
      assertThat(responses.delete(OWNER, middle).status()).isEqualTo(404);
      JsonNode items = json(responses.inputItems(OWNER, chain.get(2).get("id").asText(), "limit=100"));
      assertThat(items.get("data")).hasSize(5);
    }

    @Test
    @DisplayName("of another owner's response is 404 and deletes nothing")
    void foreign() {
      String id = chain(1).get(0).get("id").asText();
      assertThat(responses.delete(OTHER_OWNER, id).status()).isEqualTo(404);
      assertThat(responses.retrieve(OWNER, id).status()).isEqualTo(200);
    }
  }

  @Nested
  @DisplayName("routing")
  class Routing {

    @Test
    @DisplayName("serves the four routes under any base path, refuses a retrieve as a stream, and answers others with OpenAI's 404 or 405")
    void routes() {
      Reply created = responses.handle("POST", URI.create("/v1/responses"), OWNER, body("{'model':'m','input':'x'}"), model);
      String id = json(created).get("id").asText();
      assertThat(responses.handle("GET", URI.create("/v1/responses/" + id), OWNER, new byte[0], model).status()).isEqualTo(200);
      assertThat(responses.handle("GET", URI.create("/api/v1/responses/" + id + "/input_items?limit=1"), OWNER,
          new byte[0], model).status()).isEqualTo(200);
      assertThat(responses.handle("DELETE", URI.create("/v1/responses/" + id + "/"), OWNER, new byte[0], model).status())
          .isEqualTo(200);
      Reply streamAgain = responses.handle("GET", URI.create("/v1/responses/" + id + "?stream=true"), OWNER, new byte[0], model);
      assertThat(streamAgain.status()).isEqualTo(400);
      assertThat(error(streamAgain).get("code").asText()).isEqualTo("unsupported_parameter");
      assertThat(error(streamAgain).get("param").asText()).isEqualTo("stream");
      Reply unknown = responses.handle("GET", URI.create("/v1/chat/completions"), OWNER, new byte[0], model);
      assertThat(unknown.status()).isEqualTo(404);
      assertThat(error(unknown).get("message").asText()).isEqualTo("Invalid URL (GET /v1/chat/completions)");
      assertThat(responses.handle("PUT", URI.create("/v1/responses"), OWNER, new byte[0], model).status()).isEqualTo(405);
    }
  }
}
