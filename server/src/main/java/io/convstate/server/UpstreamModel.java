package io.convstate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.StrictJson;
import io.convstate.responses.Model;
import io.convstate.responses.ResponsesError;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * A model behind any OpenAI-compatible Responses endpoint: each request (the rebuilt history as
 * {@code input}, {@code store:false}, no {@code previous_response_id}) is posted to
 * {@code BASE_URL/responses} with the configured key, and the upstream's response object returned.
 *
 * <p>Upstream errors: a 4xx other than 401/403 is relayed as it is (status and OpenAI error body);
 * 401/403 (the server's own key refused) and 5xx are a 502, an unreachable upstream or a timeout a
 * 502 too; the details go to the log, never the key. Thread-safe.
 */
public final class UpstreamModel implements Model {

  private static final System.Logger LOG = System.getLogger(UpstreamModel.class.getName());
  private static final ObjectMapper JSON = StrictJson.newMapper();

  private final URI responsesUrl;
  private final String apiKey;
  private final Duration timeout;
  private final HttpClient client;

  /**
   * @param baseUrl the upstream's base URL, e.g. {@code https://api.openai.com/v1}
   * @param apiKey the key sent as a bearer token
   * @param timeout how long one model call may take
   */
  public UpstreamModel(URI baseUrl, String apiKey, Duration timeout) {
    String base = Objects.requireNonNull(baseUrl, "baseUrl").toString();
    this.responsesUrl = URI.create(base.endsWith("/") ? base + "responses" : base + "/responses");
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @Override
  public ObjectNode respond(ObjectNode request) throws InterruptedException {
    HttpResponse<byte[]> response;
    try {
      response = client.send(HttpRequest.newBuilder(responsesUrl)
          .timeout(timeout)
          .header("Authorization", "Bearer " + apiKey)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(request.toString()))
          .build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      LOG.log(Level.WARNING, "model upstream " + responsesUrl + " unreachable", e);
      throw new ResponsesError(502, "server_error", null, "upstream_unreachable", "The model upstream could not be reached.");
    }
    JsonNode body = parse(response.body());
    int status = response.statusCode();
    if (status / 100 == 2 && body != null && body.isObject()) {
      return (ObjectNode) body;
    }
    JsonNode error = body == null ? null : body.get("error");
    if (status / 100 == 4 && status != 401 && status != 403 && error != null && error.path("message").isTextual()) {
      throw new ResponsesError(status, error.path("type").asText("invalid_request_error"), text(error.get("param")),
          text(error.get("code")), error.get("message").textValue());
    }
    LOG.log(Level.WARNING, "model upstream " + responsesUrl + " answered HTTP " + status);
    throw new ResponsesError(502, "server_error", null, "upstream_error",
        "The model upstream failed (HTTP " + status + ").");
  }

  private static JsonNode parse(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return null;
    }
  }

  private static String text(JsonNode value) {
    return value == null || value.isNull() ? null : value.asText();
  }

  @Override
  public String toString() {
    return "upstream " + responsesUrl;
  }
}
