package io.convstate.responses;

import static io.convstate.responses.Fixtures.OWNER;
import static io.convstate.responses.Fixtures.body;
import static io.convstate.responses.Fixtures.error;
import static io.convstate.responses.Fixtures.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.convstate.ConfigurationException;
import io.convstate.InvalidInputException;
import io.convstate.PreviousResponseNotFoundException;
import io.convstate.ResponseConflictException;
import io.convstate.StateNotFoundException;
import io.convstate.StorageException;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreClosedException;
import io.convstate.memory.MemoryStateStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Errors")
class ErrorMappingTest {

  private static ResponsesError map(Throwable e) {
    return ResponsesErrors.of(e);
  }

  @Nested
  @DisplayName("every library exception maps to one status and OpenAI's error body")
  class Mapping {

    @Test
    @DisplayName("previous response not found: 400 previous_response_not_found naming previous_response_id")
    void previousNotFound() {
      ResponsesError error = map(new PreviousResponseNotFoundException("resp_x"));
      assertThat(error.status()).isEqualTo(400);
      assertThat(error.toJson()).isEqualTo(new PreviousResponseNotFoundException("resp_x").errorBodyJson());
    }

    @Test
    @DisplayName("invalid input: 400 invalid_request_error naming the field")
    void invalidInput() {
      ResponsesError error = map(new InvalidInputException("after", "'x' is not an item of this response's input"));
      assertThat(error.status()).isEqualTo(400);
      assertThat(error.param()).isEqualTo("after");
      assertThat(error.getMessage()).isEqualTo("Invalid 'after': 'x' is not an item of this response's input");
    }

    @Test
    @DisplayName("a response not found: 404; a conflict: 409")
    void notFoundAndConflict() {
      assertThat(map(new StateNotFoundException("resp_x")).status()).isEqualTo(404);
      ResponsesError conflict = map(new ResponseConflictException("resp_x"));
      assertThat(conflict.status()).isEqualTo(409);
      assertThat(conflict.code()).isEqualTo("response_conflict");
    }

    @Test
    @DisplayName("storage unavailable or closed: 503; any other failure: 500; neither shows the cause's message")
    void serverSide() {
      ResponsesError unavailable = map(new StorageUnavailableException(SwitchableStore.SECRET_DETAILS, null));
      assertThat(unavailable.status()).isEqualTo(503);
      assertThat(unavailable.type()).isEqualTo("server_error");
      assertThat(map(new StoreClosedException("memory state store")).status()).isEqualTo(503);
      for (Throwable failure : new Throwable[] {new StorageException(SwitchableStore.SECRET_DETAILS),
          new ConfigurationException(SwitchableStore.SECRET_DETAILS), new IllegalStateException(SwitchableStore.SECRET_DETAILS)}) {
        ResponsesError error = map(failure);
        assertThat(error.status()).isEqualTo(500);
        assertThat(error.toJson()).doesNotContain("db.internal").doesNotContain("5432").doesNotContain("user=app");
      }
      assertThat(unavailable.toJson()).doesNotContain("db.internal").doesNotContain("5432");
    }

    @Test
    @DisplayName("a server-side failure is logged at WARNING with the original exception, details included")
    void logsTheCause() {
      java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.convstate.responses");
      java.util.List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.logging.Handler handler = new java.util.logging.Handler() {
        @Override
        public void publish(java.util.logging.LogRecord record) {
          records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
      logger.addHandler(handler);
      logger.setUseParentHandlers(false);
      try {
        StorageUnavailableException cause = new StorageUnavailableException(SwitchableStore.SECRET_DETAILS, null);
        map(cause);
        assertThat(records).hasSize(1);
        assertThat(records.get(0).getLevel()).isEqualTo(java.util.logging.Level.WARNING);
        assertThat(records.get(0).getThrown()).isSameAs(cause);
      } finally {
        logger.removeHandler(handler);
        logger.setUseParentHandlers(true);
      }
    }

    @Test
    @DisplayName("a ResponsesError is answered as it is")
    void asItIs() {
      ResponsesError given = new ResponsesError(429, "rate_limit_error", null, "rate_limit_exceeded", "Slow down.");
      assertThat(map(given)).isSameAs(given);
      assertThat(given.toJson()).isEqualTo("{\"error\":{\"message\":\"Slow down.\",\"type\":\"rate_limit_error\","
          + "\"param\":null,\"code\":\"rate_limit_exceeded\"}}");
    }
  }

  @Nested
  @DisplayName("when the store fails")
  class StoreFailures {

    private final SwitchableStore store = new SwitchableStore(new MemoryStateStore());
    private final Responses responses = new Responses(store, "echo");
    private final Fixtures.EchoModel model = new Fixtures.EchoModel();

    @Test
    @DisplayName("an unreachable store is a 503 without connection details on every route, before the model is called")
    void unavailable() {
      String id = json(responses.create(OWNER, body("{'model':'m','input':'x'}"), model)).get("id").asText();
      store.mode = SwitchableStore.Mode.UNAVAILABLE;
      for (Reply reply : new Reply[] {
          responses.create(OWNER, body("{'model':'m','input':'x','previous_response_id':'" + id + "'}"), model),
          responses.create(OWNER, body("{'model':'m','input':'x'}"), model),
          responses.retrieve(OWNER, id), responses.inputItems(OWNER, id, null), responses.delete(OWNER, id)}) {
        assertThat(reply.status()).isEqualTo(503);
        assertThat(reply.body()).doesNotContain("db.internal").doesNotContain("5432").doesNotContain("user=");
        assertThat(error(reply).get("message").asText()).isEqualTo(ResponsesErrors.UNAVAILABLE_MESSAGE);
      }
      assertThat(model.calls).hasValue(1);
    }

    @Test
    @DisplayName("when the store comes back the same conversation continues with its whole history")
    void continuesAfterOutage() {
      String id = json(responses.create(OWNER, body("{'model':'m','input':'one'}"), model)).get("id").asText();
      store.mode = SwitchableStore.Mode.UNAVAILABLE;
      assertThat(responses.create(OWNER, body("{'model':'m','input':'two','previous_response_id':'" + id + "'}"), model)
          .status()).isEqualTo(503);
      store.mode = SwitchableStore.Mode.UP;
      JsonNode next = json(responses.create(OWNER, body("{'model':'m','input':'two','previous_response_id':'" + id + "'}"), model));
      assertThat(next.get("status").asText()).isEqualTo("completed");
      assertThat(model.lastRequest.get("input")).hasSize(3);
    }

    @Test
    @DisplayName("a store that fails at the record after the model answered is a 500, and nothing is kept")
    void brokenAtRecord() {
      store.mode = SwitchableStore.Mode.BROKEN;
      store.failWritesOnly = true;
      Reply reply = responses.create(OWNER, body("{'model':'m','input':'x'}"), model);
      assertThat(reply.status()).isEqualTo(500);
      assertThat(reply.body()).doesNotContain("db.internal");
      assertThat(store.memory.size()).isZero();
    }
  }

  @Nested
  @DisplayName("when the model fails")
  class ModelFailures {

    private final MemoryStateStore store = new MemoryStateStore();
    private final Responses responses = new Responses(store, "echo");

    @Test
    @DisplayName("a ResponsesError it throws is relayed; any other exception is a 500; nothing is recorded")
    void failures() {
      Model relaying = request -> {
        throw ResponsesError.invalidRequest("tools", "invalid_value", "Bad tool.");
      };
      Reply relayed = responses.create(OWNER, body("{'model':'m','input':'x'}"), relaying);
      assertThat(relayed.status()).isEqualTo(400);
      assertThat(error(relayed).get("message").asText()).isEqualTo("Bad tool.");
      Model failing = request -> {
        throw new java.io.IOException("upstream.internal:443 reset");
      };
      Reply failed = responses.create(OWNER, body("{'model':'m','input':'x'}"), failing);
      assertThat(failed.status()).isEqualTo(500);
      assertThat(failed.body()).doesNotContain("upstream.internal");
      assertThat(store.size()).isZero();
    }

    @Test
    @DisplayName("an answer without output, or with a failed status, is a 502")
    void badAnswers() {
      assertThat(responses.create(OWNER, body("{'model':'m','input':'x'}"), request -> Fixtures.JSON.createObjectNode())
          .status()).isEqualTo(502);
      assertThat(responses.create(OWNER, body("{'model':'m','input':'x'}"),
          request -> (com.fasterxml.jackson.databind.node.ObjectNode) Fixtures.JSON.readTree("{\"status\":\"failed\",\"output\":[]}"))
          .status()).isEqualTo(502);
      assertThat(store.size()).isZero();
    }
  }
}
