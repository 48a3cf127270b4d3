package io.convstate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convstate.StrictJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** A plain HTTP client of the server, as any language's client would call it. */
final class Api {

  static final ObjectMapper JSON = StrictJson.newMapper();

  /** A reply: its status and JSON body. */
  record Result(int status, JsonNode json) {
    JsonNode error() {
      return json.get("error");
    }

    String id() {
      return json.get("id").asText();
    }

    /** The text of the first output message. */
    String text() {
      for (JsonNode item : json.get("output")) {
        if (item.path("type").asText().equals("message")) {
          return item.get("content").get(0).get("text").asText();
        }
      }
      throw new AssertionError("no message in " + json);
    }
  }

  private final HttpClient http = HttpClient.newHttpClient();
  private final URI base;

  Api(URI base) {
    this.base = base;
  }

  Result post(String key, String json) {
    return send(request(key, "/responses").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json.replace('\'', '"'))));
  }

  Result get(String key, String path) {
    return send(request(key, path).GET());
  }

  Result delete(String key, String path) {
    return send(request(key, path).DELETE());
  }

  /** POSTs a stream:true request; the status, content type and every event's data. */
  List<JsonNode> stream(String key, String json) {
    HttpResponse<String> response = exchange(request(key, "/responses").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json.replace('\'', '"'))));
    if (response.statusCode() != 200 || !response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
      throw new AssertionError("not a stream: " + response.statusCode() + " " + response.body());
    }
    List<JsonNode> events = new ArrayList<>();
    for (String block : response.body().split("\n\n")) {
      for (String line : block.split("\n")) {
        if (line.startsWith("data: ")) {
          events.add(parse(line.substring(6)));
        }
      }
    }
    return events;
  }

  private HttpRequest.Builder request(String key, String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path));
    return key == null ? builder : builder.header("Authorization", "Bearer " + key);
  }

  private Result send(HttpRequest.Builder request) {
    HttpResponse<String> response = exchange(request);
    return new Result(response.statusCode(), parse(response.body()));
  }

  private HttpResponse<String> exchange(HttpRequest.Builder request) {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
