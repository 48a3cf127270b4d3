package io.convstate.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.ItemPage;
import io.convstate.PreviousResponseNotFoundException;
import io.convstate.StateNotFoundException;
import io.convstate.StateStore;
import io.convstate.Turn;
import io.convstate.Validation;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI Responses endpoint on a {@link StateStore}, but for the model call, which the host
 * passes in as a {@link Model}:
 *
 * <ul>
 *   <li>{@code POST /v1/responses} ({@link #create}): parses the body strictly and validates it
 *       with OpenAI's errors; loads the history of {@code previous_response_id} (the caller's own
 *       only); normalises and resolves the input; checks with {@link StateStore#checkRecordable}
 *       that the turn can be kept <em>before</em> the model is called; gives the response a random
 *       {@code resp_} id and each output item without an id one of its own; records the turn (its
 *       input, output and the response's fields as metadata) unless {@code store} is false; answers
 *       the response object, or with {@code stream:true} OpenAI's server-sent events, recording
 *       only once every output event was written;
 *   <li>{@code GET /v1/responses/{id}} ({@link #retrieve}): the response object as it was answered;
 *   <li>{@code GET /v1/responses/{id}/input_items} ({@link #inputItems}): OpenAI's list object,
 *       newest first and 20 a page unless asked otherwise;
 *   <li>{@code DELETE /v1/responses/{id}} ({@link #delete}).
 * </ul>
 *
 * <p><b>Owners.</b> Each call names the caller's owner (a tenant, a hash of the API key; null for
 * unscoped). Another owner's response is answered exactly as an unknown one. A response stored with
 * {@code store:false} is unknown too. Instructions are never carried to the next response.
 *
 * <p><b>Errors.</b> No method throws: every failure becomes the reply {@link ResponsesErrors#of}
 * gives, with OpenAI's error body.
 *
 * <p>Thread-safe; holds no state but the store's.
 */
public final class Responses {

  private static final Pattern ROUTE = Pattern.compile("^.*/responses(?:/([^/]+)(/input_items)?)?/?$");

  private final StateStore store;
  private final String provider;
  private final Clock clock;

  /**
   * @param store where responses are kept
   * @param provider the provider name recorded with each turn ({@code openai}, {@code echo}, ...)
   */
  public Responses(StateStore store, String provider) {
    this(store, provider, Clock.systemUTC());
  }

  /** As {@link #Responses(StateStore, String)}, with the clock of created_at and completed_at. */
  public Responses(StateStore store, String provider, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.provider = Validation.requireName("provider", provider);
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Answers one HTTP request to any path ending in {@code /responses},
   * {@code /responses/{id}} or {@code /responses/{id}/input_items}; any other path is a 404, and a
   * method a path does not take a 405, with OpenAI's error body.
   *
   * @param method the HTTP method
   * @param uri the request URI (its path and query are used)
   * @param owner the caller's owner; null for unscoped
   * @param body the request body; empty for none
   * @param model the model call, used by {@code POST} only
   */
  public Reply handle(String method, URI uri, String owner, byte[] body, Model model) {
    Matcher route = ROUTE.matcher(uri.getPath());
    if (!route.matches()) {
      return invalidUrl(404, method, uri);
    }
    String id = route.group(1);
    boolean items = route.group(2) != null;
    if (id == null && method.equals("POST")) {
      return create(owner, body, model);
    }
    if (id != null && items && method.equals("GET")) {
      return inputItems(owner, id, uri.getRawQuery());
    }
    if (id != null && !items && method.equals("GET")) {
      return streamRequested(uri.getRawQuery()) ? ResponsesError.invalidRequest("stream", "unsupported_parameter",
          "Unsupported parameter: 'stream' (streaming a stored response again) is not supported by this server.")
          .toReply() : retrieve(owner, id);
    }
    if (id != null && !items && method.equals("DELETE")) {
      return delete(owner, id);
    }
    return invalidUrl(405, method, uri);
  }

  /** Whether a retrieve's query asks for the response as a stream of events ({@code stream=true}). */
  private static boolean streamRequested(String rawQuery) {
    return rawQuery != null && java.util.Arrays.asList(rawQuery.split("&")).contains("stream=true");
  }

  /** {@code POST /v1/responses}: see the class comment. */
  public Reply create(String owner, byte[] body, Model model) {
    try {
      PendingResponse pending = begin(owner, body);
      if (pending.request.stream) {
        return Reply.stream(out -> stream(pending, model, out));
      }
      ObjectNode answer = callModel(pending, model);
      ObjectNode response = complete(pending, answer);
      record(pending, response);
      return Reply.json(200, response.toString());
    } catch (RuntimeException e) {
      return ResponsesErrors.of(e).toReply();
    }
  }

  /** {@code GET /v1/responses/{id}}: the response object; 404 when unknown, deleted or another owner's. */
  public Reply retrieve(String owner, String responseId) {
    try {
      ResponseIdFormat.require("response_id", responseId);
      Turn turn = store.turn(owner, responseId).orElseThrow(() -> ResponsesError.responseNotFound(responseId));
      return Reply.json(200, ResponseObjects.of(turn).toString());
    } catch (RuntimeException e) {
      return ResponsesErrors.of(e).toReply();
    }
  }

  /**
   * {@code GET /v1/responses/{id}/input_items}: one page of the items the response was given (every
   * earlier turn's input and output, then its own input), as OpenAI's list object.
   *
   * @param rawQuery the URL's query ({@code limit}, {@code order}, {@code after}, {@code before});
   *     null for none
   */
  public Reply inputItems(String owner, String responseId, String rawQuery) {
    try {
      ResponseIdFormat.require("response_id", responseId);
      ItemPage page = store.inputItems(owner, responseId, ItemListQuery.parse(rawQuery))
          .orElseThrow(() -> ResponsesError.responseNotFound(responseId));
      ObjectNode list = JsonSupport.MAPPER.createObjectNode().put("object", "list");
      ArrayNode data = list.putArray("data");
      for (ItemPage.Item item : page.data()) {
        data.add(item.toJsonNode());
      }
      list.put("first_id", page.firstId()).put("last_id", page.lastId()).put("has_more", page.hasMore());
      return Reply.json(200, list.toString());
    } catch (RuntimeException e) {
      return ResponsesErrors.of(e).toReply();
    }
  }

  /**
   * {@code DELETE /v1/responses/{id}}: OpenAI's deletion object {@code {"id", "object": "response.deleted",
   * "deleted": true}}; 404 when there is nothing to delete.
   */
  public Reply delete(String owner, String responseId) {
    try {
      ResponseIdFormat.require("response_id", responseId);
      if (!store.delete(owner, responseId)) {
        throw ResponsesError.responseNotFound(responseId);
      }
      return Reply.json(200, JsonSupport.MAPPER.createObjectNode().put("id", responseId).put("object", "response.deleted")
          .put("deleted", true).toString());
    } catch (RuntimeException e) {
      return ResponsesErrors.of(e).toReply();
    }
  }

  private PendingResponse begin(String owner, byte[] body) {
    Validation.requireOwner(owner);
    ParsedRequest request = RequestParser.parse(body);
    History previous = null;
    if (request.previousResponseId != null) {
      previous = store.history(owner, request.previousResponseId)
          .orElseThrow(() -> new PreviousResponseNotFoundException(request.previousResponseId));
    }
    ArrayNode input = ItemReferences.resolve(request.input, previous);
    PendingResponse pending = new PendingResponse(owner, request, ResponseIds.responseId(),
        clock.instant().getEpochSecond(), previous, input, InputItems.of("input", input));
    if (request.store) {
      ObjectNode draft = ResponseObjects.of(pending, null, JsonSupport.MAPPER.createArrayNode(), "completed", null,
          pending.createdAt);
      store.checkRecordable(turn(pending, draft));
    }
    return pending;
  }

  private void stream(PendingResponse pending, Model model, OutputStream out) throws IOException {
    ServerSentEvents events = new ServerSentEvents(out);
    events.started(ResponseObjects.of(pending, null, JsonSupport.MAPPER.createArrayNode(), "in_progress", null, null));
    ObjectNode response;
    try {
      response = complete(pending, callModel(pending, model));
    } catch (RuntimeException e) {
      ResponsesError error = ResponsesErrors.of(e);
      ObjectNode details = JsonSupport.MAPPER.createObjectNode()
          .put("code", error.code() == null ? error.type() : error.code()).put("message", error.getMessage());
      events.failed(ResponseObjects.of(pending, null, JsonSupport.MAPPER.createArrayNode(), "failed", details, null));
      return;
    }
    events.output((ArrayNode) response.get("output"));
    try {
      record(pending, response);
    } catch (RuntimeException e) {
      events.error(ResponsesErrors.of(e));
      return;
    }
    events.completed(response);
  }

  private static ObjectNode callModel(PendingResponse pending, Model model) {
    ObjectNode answer;
    try {
      answer = model.respond(pending.modelRequest());
    } catch (RuntimeException e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the model", e);
    } catch (Exception e) {
      throw new IllegalStateException("the model failed", e);
    }
    if (answer == null || !answer.path("output").isArray()) {
      throw badModel("The model returned no output.");
    }
    for (JsonNode item : answer.get("output")) {
      if (!item.isObject() || !item.path("type").isTextual()) {
        throw badModel("The model returned an output item that is not an object with a type.");
      }
    }
    String status = answer.path("status").asText("completed");
    if (!status.equals("completed") && !status.equals("incomplete")) {
      throw badModel("The model's response ended with status '" + status + "'.");
    }
    return answer;
  }

  /** The final response object: the model's answer, its output items with ids, the layer's fields. */
  private ObjectNode complete(PendingResponse pending, ObjectNode answer) {
    ArrayNode output = JsonSupport.MAPPER.createArrayNode();
    for (JsonNode item : answer.get("output")) {
      output.add(withId((ObjectNode) item));
    }
    String status = answer.path("status").asText("completed");
    return ResponseObjects.of(pending, answer, output, status, null,
        status.equals("completed") ? clock.instant().getEpochSecond() : null);
  }

  private void record(PendingResponse pending, ObjectNode response) {
    if (!pending.request.store) {
      return;
    }
    try {
      store.record(turn(pending, response));
    } catch (PreviousResponseNotFoundException e) {
      throw e;
    } catch (StateNotFoundException e) {
      throw new PreviousResponseNotFoundException(e.responseId()); // deleted while the model answered
    }
  }

  private Turn turn(PendingResponse pending, ObjectNode response) {
    return Turn.builder(pending.responseId)
        .previousResponseId(pending.request.previousResponseId)
        .owner(pending.owner)
        .input(pending.inputItems)
        .output(InputItems.of("output", response.get("output")))
        .model(response.get("model").textValue())
        .provider(provider)
        .createdAt(pending.createdAt)
        .metadata(ResponseObjects.metadataOf(response))
        .build();
  }

  private static ObjectNode withId(ObjectNode item) {
    if (item.path("id").isTextual() && !item.get("id").textValue().isEmpty()) {
      return item.deepCopy();
    }
    ObjectNode withId = JsonSupport.MAPPER.createObjectNode().put("id", ResponseIds.itemId(item.get("type").textValue()));
    for (Iterator<Map.Entry<String, JsonNode>> fields = item.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!field.getKey().equals("id")) {
        withId.set(field.getKey(), field.getValue().deepCopy());
      }
    }
    return withId;
  }

  private static ResponsesError badModel(String message) {
    return new ResponsesError(502, "server_error", null, "bad_model_response", message);
  }

  private static Reply invalidUrl(int status, String method, URI uri) {
    return new ResponsesError(status, "invalid_request_error", null, null,
        "Invalid URL (" + method + " " + uri.getPath() + ")").toReply();
  }
}
