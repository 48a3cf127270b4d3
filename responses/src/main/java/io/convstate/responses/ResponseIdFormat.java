package io.convstate.responses;

import io.convstate.Validation;

/**
 * OpenAI's checks of a response id named by a client (in {@code previous_response_id} or a URL):
 * at most {@link Validation#MAX_NAME_LENGTH} characters, beginning with {@code resp}, holding only
 * letters, digits, underscores and dashes. Stateless.
 */
final class ResponseIdFormat {

  private ResponseIdFormat() {}

  /**
   * @return id, unchanged
   * @throws ResponsesError 400 naming param, with OpenAI's message
   */
  static String require(String param, String id) {
    if (id.length() > Validation.MAX_NAME_LENGTH) {
      throw ResponsesError.invalidRequest(param, "string_above_max_length",
          "Invalid '" + param + "': string too long. Expected a string with maximum length "
              + Validation.MAX_NAME_LENGTH + ", but got a string with length " + id.length() + " instead.");
    }
    if (!id.startsWith("resp")) {
      throw ResponsesError.invalidRequest(param, "invalid_value",
          "Invalid '" + param + "': '" + id + "'. Expected an ID that begins with 'resp'.");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(c == '_' || c == '-' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
        throw ResponsesError.invalidRequest(param, "invalid_value",
            "Invalid '" + param + "': '" + id + "'. Expected an ID that contains letters, numbers, underscores, "
                + "or dashes, but this value contained additional characters.");
      }
    }
    return id;
  }
}
