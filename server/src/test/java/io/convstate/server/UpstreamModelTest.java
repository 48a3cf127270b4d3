package io.convstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.convstate.memory.MemoryStateStore;
import io.convstate.responses.Reply;
import io.convstate.responses.Responses;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The upstream model, against a fake OpenAI-compatible upstream")
class UpstreamModelTest {

  private static final String UPSTREAM_KEY = "sk-upstream-secret";

  private HttpServer upstream;
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final AtomicReference<String> nextError = new AtomicReference<>();
  private final AtomicInteger nextStatus = new AtomicInteger(200);
  private final AtomicInteger calls = new AtomicInteger();
  private Responses responses;
  private UpstreamModel model;

  @BeforeEach
  void start() throws Exception {
    upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    upstream.createContext("/v1/responses", exchange -> {
      try (exchange) {
        JsonNode request = Api.parse(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        received.add(request);
        authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
        int n = calls.incrementAndGet();
        String body = nextStatus.get() == 200
            ? "{\"id\":\"resp_upstream_" + n + "\",\"object\":\"response\",\"created_at\":1,\"status\":\"completed\","
                + "\"model\":\"gpt-fake-2026-01-01\",\"output\":[{\"id\":\"msg_upstream_" + n + "\",\"type\":\"message\","
                + "\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"answer "
                + n + "\",\"annotations\":[]}]}],\"temperature\":0.7,\"usage\":{\"input_tokens\":10,\"output_tokens\":2,"
                + "\"total_tokens\":12},\"store\":false}"
            : nextError.get();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(nextStatus.get(), bytes.length);
        exchange.getResponseBody().write(bytes);
      }
    });
    upstream.start();
    model = new UpstreamModel(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/v1"), UPSTREAM_KEY,
        Duration.ofSeconds(10));
    responses = new Responses(new MemoryStateStore(), "openai");
  }

  @AfterEach
  void stop() {
    upstream.stop(0);
  }

  private Reply create(String json) {
    return responses.create("owner", json.replace('\'', '"').getBytes(StandardCharsets.UTF_8), model);
  }

  @Nested
  @DisplayName("forwarding")
  class Forwarding {

    @Test
    @DisplayName("sends the rebuilt history with store:false, no previous_response_id, the request's parameters and its key")
    void sendsTheHistory() {
      JsonNode first = Api.parse(create("{'model':'gpt-fake','input':'one','instructions':'Be brief.'}").body());
      Reply second = create("{'model':'gpt-fake','input':'two','temperature':0.7,'previous_response_id':'"
          + first.get("id").asText() + "'}");
      assertThat(second.status()).isEqualTo(200);
      JsonNode sent = received.get(1);
      assertThat(sent.get("input")).hasSize(3);
      assertThat(sent.get("input").get(1).get("id").asText()).isEqualTo("msg_upstream_1");
      assertThat(sent.get("input").get(2).get("content").get(0).get("text").asText()).isEqualTo("two");
      assertThat(sent.get("store").asBoolean()).isFalse();
      assertThat(sent.has("previous_response_id")).isFalse();
      assertThat(sent.has("instructions")).isFalse();
      assertThat(sent.get("temperature").decimalValue()).isEqualByComparingTo("0.7");
      assertThat(received.get(0).get("instructions").asText()).isEqualTo("Be brief.");
      assertThat(authorizations).containsOnly("Bearer " + UPSTREAM_KEY);
    }

    @Test
    @DisplayName("answers with the layer's own id and created_at, and the upstream's output, model and usage")
    void answers() {
      JsonNode response = Api.parse(create("{'model':'gpt-fake','input':'one'}").body());
      assertThat(response.get("id").asText()).startsWith("resp_").isNotEqualTo("resp_upstream_1");
      assertThat(response.get("created_at").asLong()).isGreaterThan(1);
      assertThat(response.get("store").asBoolean()).isTrue();
      assertThat(response.get("model").asText()).isEqualTo("gpt-fake-2026-01-01");
      assertThat(response.get("output").get(0).get("id").asText()).isEqualTo("msg_upstream_1");
      assertThat(response.get("usage").get("total_tokens").asInt()).isEqualTo(12);
    }
  }

  @Nested
  @DisplayName("upstream failures")
  class Failures {

    @Test
    @DisplayName("an upstream 400 is relayed with its error body")
    void relaysClientErrors() {
      nextStatus.set(400);
      nextError.set("{\"error\":{\"message\":\"Invalid value: 'x'.\",\"type\":\"invalid_request_error\","
          + "\"param\":\"tool_choice\",\"code\":\"invalid_value\"}}");
      Reply reply = create("{'model':'gpt-fake','input':'one','tool_choice':'x'}");
      assertThat(reply.status()).isEqualTo(400);
      assertThat(reply.body()).isEqualTo(nextError.get());
    }

    @Test
    @DisplayName("an upstream that refuses the server's key, or fails, is a 502 that names no key")
    void serverSideErrors() {
      for (int status : new int[] {401, 500}) {
        nextStatus.set(status);
        nextError.set("{\"error\":{\"message\":\"Incorrect API key provided: " + UPSTREAM_KEY + "\",\"type\":\"x\"}}");
        Reply reply = create("{'model':'gpt-fake','input':'one'}");
        assertThat(reply.status()).isEqualTo(502);
        assertThat(reply.body()).doesNotContain(UPSTREAM_KEY);
      }
    }

    @Test
    @DisplayName("an unreachable upstream is a 502, and nothing is recorded")
    void unreachable() throws Exception {
      int closedPort;
      try (ServerSocket socket = new ServerSocket(0)) {
        closedPort = socket.getLocalPort();
      }
      MemoryStateStore store = new MemoryStateStore();
      Reply reply = new Responses(store, "openai").create("owner", "{\"model\":\"m\",\"input\":\"x\"}"
          .getBytes(StandardCharsets.UTF_8), new UpstreamModel(URI.create("http://127.0.0.1:" + closedPort + "/v1"),
          UPSTREAM_KEY, Duration.ofSeconds(5)));
      assertThat(reply.status()).isEqualTo(502);
      assertThat(store.size()).isZero();
    }
  }
}
