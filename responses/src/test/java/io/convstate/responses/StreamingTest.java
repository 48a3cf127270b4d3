package io.convstate.responses;

import static io.convstate.responses.Fixtures.OWNER;
import static io.convstate.responses.Fixtures.body;
import static io.convstate.responses.Fixtures.events;
import static io.convstate.responses.Fixtures.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.memory.MemoryStateStore;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("stream:true")
class StreamingTest {

  private final SwitchableStore store = new SwitchableStore(new MemoryStateStore());
  private final Responses responses = new Responses(store, "echo");
  private final Fixtures.EchoModel model = new Fixtures.EchoModel();

  private Reply stream(String json) {
    return responses.create(OWNER, body(json), model);
  }

  @Nested
  @DisplayName("a stream that completes")
  class Completes {

    @Test
    @DisplayName("is OpenAI's event sequence, numbered from 0, with text deltas that add up to the text")
    void eventSequence() {
      Reply reply = stream("{'model':'m','input':'hello there world','stream':true}");
      assertThat(reply.isStream()).isTrue();
      assertThat(reply.contentType()).startsWith("text/event-stream");
      List<JsonNode> events = events(reply);
      List<String> types = types(events);
      assertThat(types.subList(0, 5)).containsExactly("response.created", "response.in_progress",
          "response.output_item.added", "response.content_part.added", "response.output_text.delta");
      assertThat(types.subList(types.size() - 5, types.size())).containsExactly("response.output_text.delta",
          "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed");
      for (int i = 0; i < events.size(); i++) {
        assertThat(events.get(i).get("sequence_number").asInt()).isEqualTo(i);
      }
      StringBuilder text = new StringBuilder();
      events.stream().filter(e -> e.get("type").asText().equals("response.output_text.delta"))
          .forEach(e -> text.append(e.get("delta").asText()));
      assertThat(text).hasToString("echo: hello there world");
      JsonNode created = events.get(0).get("response");
      assertThat(created.get("status").asText()).isEqualTo("in_progress");
      assertThat(created.get("output")).isEmpty();
      JsonNode completed = events.get(events.size() - 1).get("response");
      assertThat(completed.get("id")).isEqualTo(created.get("id"));
      assertThat(completed.get("output").get(0).get("id")).isEqualTo(events.get(2).get("item").get("id"));
    }

    @Test
    @DisplayName("records the response once the output was written: retrieving it answers the completed response")
    void recordsAtTheEnd() {
      List<JsonNode> events = events(stream("{'model':'m','input':'hi','stream':true}"));
      JsonNode completed = events.get(events.size() - 1).get("response");
      Reply retrieved = responses.retrieve(OWNER, completed.get("id").asText());
      assertThat(retrieved.body()).isEqualTo(completed.toString());
    }

    @Test
    @DisplayName("streams a function call's arguments")
    void functionCall() {
      Model calling = request -> (ObjectNode) Fixtures.JSON.readTree("{\"output\":[{\"type\":\"function_call\","
          + "\"call_id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\",\"status\":\"completed\"}]}");
      List<JsonNode> events = events(responses.create(OWNER, body("{'model':'m','input':'x','stream':true}"), calling));
      assertThat(types(events)).containsExactly("response.created", "response.in_progress", "response.output_item.added",
          "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done",
          "response.completed");
      assertThat(events.get(2).get("item").get("arguments").asText()).isEmpty();
      assertThat(events.get(4).get("arguments").asText()).isEqualTo("{\"city\":\"Paris\"}");
      assertThat(events.get(4).get("item_id")).isEqualTo(events.get(5).get("item").get("id"));
    }
  }

  @Nested
  @DisplayName("a stream that fails records nothing")
  class Fails {

    @Test
    @DisplayName("when the model fails: response.failed with the error, and the id stays unknown")
    void modelFails() {
      Model failing = request -> {
        throw new IllegalStateException("model down");
      };
      List<JsonNode> events = events(responses.create(OWNER, body("{'model':'m','input':'x','stream':true}"), failing));
      assertThat(types(events)).containsExactly("response.created", "response.in_progress", "response.failed");
      JsonNode failed = events.get(2).get("response");
      assertThat(failed.get("status").asText()).isEqualTo("failed");
      assertThat(failed.get("error").get("message").asText()).isEqualTo(ResponsesErrors.SERVER_ERROR_MESSAGE);
      assertThat(responses.retrieve(OWNER, failed.get("id").asText()).status()).isEqualTo(404);
      assertThat(store.memory.size()).isZero();
    }

    @Test
    @DisplayName("when the store fails at the record: an error event in place of response.completed")
    void recordFails() {
      store.mode = SwitchableStore.Mode.UNAVAILABLE;
      store.failWritesOnly = true;
      List<JsonNode> events = events(stream("{'model':'m','input':'x','stream':true}"));
      JsonNode last = events.get(events.size() - 1);
      assertThat(last.get("type").asText()).isEqualTo("error");
      assertThat(last.get("code").asText()).isEqualTo("storage_unavailable");
      assertThat(last.toString()).doesNotContain("db.internal");
      assertThat(types(events)).doesNotContain("response.completed");
      assertThat(store.memory.size()).isZero();
    }

    @Test
    @DisplayName("when the client goes away before the output was written")
    void clientGoesAway() {
      Reply reply = stream("{'model':'m','input':'x','stream':true}");
      OutputStream broken = new OutputStream() {
        private int written;

        @Override
        public void write(int b) throws IOException {
          if (++written > 400) {
            throw new IOException("Broken pipe");
          }
        }
      };
      assertThatThrownBy(() -> reply.writeTo(broken)).isInstanceOf(IOException.class);
      assertThat(store.memory.size()).isZero();
    }
  }

  @Test
  @DisplayName("a request refused before the stream starts is a plain JSON error with its status")
  void refusedBeforeTheStream() {
    Reply reply = stream("{'model':'m','input':'x','stream':true,'previous_response_id':'resp_nope'}");
    assertThat(reply.isStream()).isFalse();
    assertThat(reply.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("text deltas are at most about 64 pieces, each ending at a space where one is near")
  void deltas() {
    assertThat(ServerSentEvents.deltas("a b c")).containsExactly("a ", "b ", "c");
    assertThat(ServerSentEvents.deltas("")).containsExactly("");
    assertThat(ServerSentEvents.deltas("word ".repeat(10_000)).size()).isLessThanOrEqualTo(66);
    assertThat(String.join("", ServerSentEvents.deltas("word ".repeat(10_000)))).isEqualTo("word ".repeat(10_000));
  }
}
