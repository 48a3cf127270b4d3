package io.convstate;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request's {@code previous_response_id} names no stored state: the client's error. A host
 * answers it as OpenAI does, with {@link #HTTP_STATUS} and {@link #errorBody()}:
 *
 * <pre>{@code
 * {"error":{"message":"Previous response with id 'resp_x' not found.","type":"invalid_request_error",
 *           "param":"previous_response_id","code":"previous_response_not_found"}}
 * }</pre>
 *
 * <p>It is distinct from a storage outage ({@link StorageUnavailableException}), which a host
 * answers with a 5xx: history is never silently dropped.
 */
public final class PreviousResponseNotFoundException extends StateNotFoundException {

  /** The HTTP status OpenAI answers with: 400. */
  public static final int HTTP_STATUS = 400;

  public PreviousResponseNotFoundException(String previousResponseId) {
    super(previousResponseId, "Previous response with id '" + previousResponseId + "' not found.");
  }

  /** {@value #HTTP_STATUS}. */
  public int httpStatus() {
    return HTTP_STATUS;
  }

  /** A new JSON tree of OpenAI's error body for this error; the caller owns it. */
  public ObjectNode errorBody() {
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.putObject("error")
        .put("message", getMessage())
        .put("type", "invalid_request_error")
        .put("param", "previous_response_id")
        .put("code", "previous_response_not_found");
    return body;
  }

  /** {@link #errorBody()} as compact JSON text. */
  public String errorBodyJson() {
    return errorBody().toString();
  }
}
