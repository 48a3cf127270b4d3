package io.convstate.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * An error as OpenAI's API answers it: an HTTP status and the body
 * {@code {"error":{"message":..,"type":..,"param":..,"code":..}}}.
 *
 * <p>The layer throws it for a request it refuses; {@link ResponsesErrors#of} turns every other
 * exception into one. A {@link Model} may throw it to relay an upstream error as it is. The message
 * is shown to the client, so it never holds connection details or secrets. Immutable.
 */
public final class ResponsesError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String param;
  private final String code;

  /**
   * @param status the HTTP status, 400 to 599
   * @param type OpenAI's error type ({@code invalid_request_error}, {@code server_error}, ...)
   * @param param the request field at fault; null for none
   * @param code OpenAI's error code ({@code invalid_type}, ...); null for none
   * @param message the sentence shown to the client
   */
  public ResponsesError(int status, String type, String param, String code, String message) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("an error status is 400 to 599, not " + status);
    }
    this.status = status;
    this.type = Objects.requireNonNull(type, "type");
    this.param = param;
    this.code = code;
  }

  /** A 400 {@code invalid_request_error}. */
  public static ResponsesError invalidRequest(String param, String code, String message) {
    return new ResponsesError(400, "invalid_request_error", param, code, message);
  }

  /** OpenAI's 404 for a response that is unknown, deleted, not stored, or another owner's. */
  public static ResponsesError responseNotFound(String responseId) {
    return new ResponsesError(404, "invalid_request_error", null, null,
        "Response with id '" + responseId + "' not found.");
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  /** The request field at fault; null for none. */
  public String param() {
    return param;
  }

  /** OpenAI's error code; null for none. */
  public String code() {
    return code;
  }

  /** A new tree of the body {@code {"error":{"message","type","param","code"}}}; the caller owns it. */
  public ObjectNode toJsonNode() {
    ObjectNode body = JsonSupport.MAPPER.createObjectNode();
    body.putObject("error")
        .put("message", getMessage())
        .put("type", type)
        .put("param", param)
        .put("code", code);
    return body;
  }

  /** {@link #toJsonNode()} as compact JSON text. */
  public String toJson() {
    return toJsonNode().toString();
  }

  /** This error as a reply. */
  public Reply toReply() {
    return Reply.json(status, toJson());
  }

  @Override
  public String toString() {
    return "ResponsesError[" + status + " " + type + ", param=" + param + ", code=" + code + ": " + getMessage() + "]";
  }
}
