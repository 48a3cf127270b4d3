package io.convstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Responses conversations")
class ResponsesConversationsTest {

  private static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

  private final MapStateStore store = new MapStateStore();
  private final ResponsesConversations conversations =
      new ResponsesConversations(store, Clock.fixed(NOW, ZoneOffset.UTC));
  private JsonNode chain;

  @BeforeEach
  void readFixture() throws IOException {
    try (InputStream in = getClass().getResourceAsStream("/fixtures/conversation-chain.json")) {
      chain = Json.MAPPER.readTree(in);
    }
  }

  @Nested
  @DisplayName("follow conversation-chain.json turn by turn")
  class Chain {

    @Test
    @DisplayName("every turn's upstream input and stored items match the fixture exactly")
    void everyTurnMatches() {
      for (JsonNode turn : chain.get("turns")) {
        JsonNode request = turn.get("request");
        JsonNode response = turn.get("response");
        PreparedTurn prepared = conversations.prepare(request.get("previous_response_id"), request.get("input"));
        assertThat(prepared.upstreamInput().toJsonNode()).as("upstream input of %s", response.get("id"))
            .isEqualTo(turn.get("upstream_input"));

        conversations.record(prepared, response.get("id").asText(), response.get("output"),
            chain.get("model").asText(), chain.get("provider").asText());
        ConversationState stored = store.get(response.get("id").asText()).orElseThrow();
        assertThat(stored.items().toJsonNode()).as("stored items of %s", response.get("id"))
            .isEqualTo(turn.get("stored_input_items"));
        assertThat(stored.model()).isEqualTo("claude-sonnet-4-5");
        assertThat(stored.provider()).isEqualTo("anthropic");
        assertThat(stored.createdAt()).as("created_at of the conversation's start").isEqualTo(NOW.getEpochSecond());
      }
      assertThat(store.states).hasSize(4);
    }

    @Test
    @DisplayName("an unknown previous_response_id is OpenAI's 400 previous_response_not_found, byte for byte as JSON")
    void unknownPrevious() {
      JsonNode unknown = chain.get("unknown_previous_response");
      JsonNode request = unknown.get("request");
      assertThatThrownBy(() -> conversations.prepare(request.get("previous_response_id"), request.get("input")))
          .isInstanceOfSatisfying(PreviousResponseNotFoundException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(unknown.get("http_status").asInt());
            assertThat(e.errorBody()).isEqualTo(unknown.get("error"));
            assertThat(e.responseId()).isEqualTo("resp_missing");
            assertThat(e).isInstanceOf(StateNotFoundException.class);
          });
    }
  }

  @Nested
  @DisplayName("normalising input")
  class Input {

    @Test
    @DisplayName("a string becomes one user message with one input_text part")
    void stringInput() {
      assertThat(ResponsesItems.normalizeInput(Json.MAPPER.getNodeFactory().textNode("hi")).toJson())
          .isEqualTo("[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hi\"}]}]");
    }

    @Test
    @DisplayName("one item becomes a one-item array, kept whole")
    void oneItem() throws IOException {
      JsonNode item = Json.MAPPER.readTree("{\"role\":\"user\",\"content\":\"no type field\",\"extra\":1.50}");
      ArrayNode items = ResponsesItems.normalizeInput(item).toJsonNode();
      assertThat(items).hasSize(1);
      assertThat(items.get(0)).isEqualTo(item);
      assertThat(items.get(0).get("extra").decimalValue()).hasToString("1.50");
    }

    @Test
    @DisplayName("a number, a boolean or a missing input is refused naming input")
    void badInput() throws IOException {
      for (String json : new String[] {"42", "true", "null", "[1]"}) {
        JsonNode input = Json.MAPPER.readTree(json);
        assertThatThrownBy(() -> conversations.prepare((String) null, input))
            .isInstanceOf(InvalidInputException.class)
            .hasMessageStartingWith("input");
      }
      assertThatThrownBy(() -> conversations.prepare((String) null, null)).hasMessage("input: is required");
    }

    @Test
    @DisplayName("a previous_response_id that is not a string is refused, not looked up")
    void badPreviousId() throws IOException {
      assertThatThrownBy(() -> conversations.prepare(Json.MAPPER.readTree("42"), Json.MAPPER.readTree("\"hi\"")))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("previous_response_id");
      assertThat(store.gets).isZero();
    }

    @Test
    @DisplayName("output that is not an array of items is refused naming output")
    void badOutput() throws IOException {
      PreparedTurn turn = conversations.prepare((String) null, Json.MAPPER.readTree("\"hi\""));
      assertThatThrownBy(() -> conversations.record(turn, "resp_1", Json.MAPPER.readTree("{}"), "m", "p"))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("output");
      assertThat(store.states).isEmpty();
    }
  }

  @Nested
  @DisplayName("storage failures")
  class Failures {

    @Test
    @DisplayName("a store outage propagates as itself, never as previous_response_not_found")
    void outageIsNotNotFound() throws IOException {
      StateStore failing = new MapStateStore() {
        @Override
        public java.util.Optional<ConversationState> get(String responseId) {
          throw new StorageUnavailableException("database down", null);
        }
      };
      ResponsesConversations down = new ResponsesConversations(failing);
      assertThatThrownBy(() -> down.prepare("resp_1", Json.MAPPER.readTree("\"hi\"")))
          .isExactlyInstanceOf(StorageUnavailableException.class);
    }
  }
}
