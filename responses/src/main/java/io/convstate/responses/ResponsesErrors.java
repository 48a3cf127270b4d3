package io.convstate.responses;

import io.convstate.ConvStateException;
import io.convstate.InvalidInputException;
import io.convstate.PreviousResponseNotFoundException;
import io.convstate.ResponseConflictException;
import io.convstate.StateNotFoundException;
import io.convstate.StorageException;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreClosedException;
import java.lang.System.Logger.Level;

/**
 * The one mapping from an exception to what a Responses endpoint answers, as OpenAI does:
 *
 * <table>
 *   <caption>Exception to HTTP status and error</caption>
 *   <tr><th>exception</th><th>status</th><th>type / code</th></tr>
 *   <tr><td>{@link ResponsesError}</td><td>its own</td><td>its own</td></tr>
 *   <tr><td>{@link PreviousResponseNotFoundException}</td><td>400</td>
 *       <td>invalid_request_error / previous_response_not_found, param previous_response_id</td></tr>
 *   <tr><td>{@link InvalidInputException}</td><td>400</td><td>invalid_request_error / invalid_value, param the field;
 *       for {@code metadata} or the whole {@code turn} (more than the store keeps): request_too_large, no param</td></tr>
 *   <tr><td>{@link StateNotFoundException}</td><td>404</td><td>invalid_request_error</td></tr>
 *   <tr><td>{@link ResponseConflictException}</td><td>409</td><td>invalid_request_error / response_conflict</td></tr>
 *   <tr><td>{@link StorageUnavailableException}, {@link StoreClosedException}</td><td>503</td>
 *       <td>server_error / storage_unavailable</td></tr>
 *   <tr><td>any other exception ({@link StorageException}, a bug, ...)</td><td>500</td><td>server_error</td></tr>
 * </table>
 *
 * <p>A 5xx answer carries a fixed sentence: storage messages name hosts, ports, databases and
 * users, so they go to the log ({@link System.Logger} {@code io.convstate.responses}, at WARNING,
 * with the exception) and never to the client. Stateless and thread-safe.
 */
public final class ResponsesErrors {

  /** The client-facing sentence of a 503. */
  public static final String UNAVAILABLE_MESSAGE =
      "The conversation state store is unavailable right now. Please retry your request after a brief wait.";
  /** The client-facing sentence of a 500 (OpenAI's). */
  public static final String SERVER_ERROR_MESSAGE =
      "The server had an error while processing your request. Sorry about that!";

  private static final System.Logger LOG = System.getLogger("io.convstate.responses");

  private ResponsesErrors() {}

  /** The error to answer {@code failure} with; logs it first when it is a server-side failure. */
  public static ResponsesError of(Throwable failure) {
    if (failure instanceof ResponsesError) {
      return (ResponsesError) failure;
    }
    if (failure instanceof PreviousResponseNotFoundException) {
      return ResponsesError.invalidRequest("previous_response_id", "previous_response_not_found", failure.getMessage());
    }
    if (failure instanceof InvalidInputException) {
      return invalidInput((InvalidInputException) failure);
    }
    if (failure instanceof StateNotFoundException) {
      return ResponsesError.responseNotFound(((StateNotFoundException) failure).responseId());
    }
    if (failure instanceof ResponseConflictException) {
      return new ResponsesError(409, "invalid_request_error", null, "response_conflict",
          "Response with id '" + ((ResponseConflictException) failure).responseId() + "' already exists.");
    }
    if (failure instanceof StorageUnavailableException || failure instanceof StoreClosedException) {
      LOG.log(Level.WARNING, "conversation state store unavailable; answering 503", failure);
      return new ResponsesError(503, "server_error", null, "storage_unavailable", UNAVAILABLE_MESSAGE);
    }
    LOG.log(Level.WARNING, failure instanceof ConvStateException
        ? "conversation state store failed; answering 500" : "request failed; answering 500", failure);
    return new ResponsesError(500, "server_error", null, null, SERVER_ERROR_MESSAGE);
  }

  private static ResponsesError invalidInput(InvalidInputException e) {
    String field = e.field();
    String reason = e.getMessage().startsWith(field + ": ") ? e.getMessage().substring(field.length() + 2) : e.getMessage();
    if (field.equals("metadata") || field.equals("turn")) {
      // the turn as a whole (input, settings) is more than the store keeps
      return ResponsesError.invalidRequest(null, "request_too_large", "This response cannot be stored: " + reason);
    }
    return ResponsesError.invalidRequest(field, "invalid_value", "Invalid '" + field + "': " + reason);
  }
}
