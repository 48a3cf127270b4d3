package io.convstate.responses;

import io.convstate.ItemQuery;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The query string of {@code GET /v1/responses/{id}/input_items} as an {@link ItemQuery}:
 * {@code limit} (1 to 100, default 20), {@code order} ({@code asc} or {@code desc}, default
 * {@code desc}), {@code after}, {@code before}; {@code include} and unknown parameters are ignored.
 * Stateless.
 */
final class ItemListQuery {

  private ItemListQuery() {}

  /**
   * @param rawQuery the URL's query, still percent-encoded; null or empty for none
   * @throws ResponsesError 400 naming the parameter, with OpenAI's message
   */
  static ItemQuery parse(String rawQuery) {
    String after = null;
    String before = null;
    String limit = null;
    String order = null;
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        int equals = pair.indexOf('=');
        String name = decode(equals < 0 ? pair : pair.substring(0, equals));
        String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
        switch (name) {
          case "after":
            after = value;
            break;
          case "before":
            before = value;
            break;
          case "limit":
            limit = value;
            break;
          case "order":
            order = value;
            break;
          default:
            break;
        }
      }
    }
    return ItemQuery.of(cursor(after), cursor(before), limit(limit), order(order));
  }

  private static String cursor(String value) {
    return value == null || value.isEmpty() ? null : value;
  }

  private static int limit(String value) {
    if (value == null) {
      return ItemQuery.DEFAULT_LIMIT;
    }
    int limit;
    try {
      limit = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw ResponsesError.invalidRequest("limit", "invalid_type",
          "Invalid type for 'limit': expected an integer, but got a string instead.");
    }
    if (limit < 1) {
      throw ResponsesError.invalidRequest("limit", "integer_below_min_value",
          "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got " + limit + " instead.");
    }
    if (limit > ItemQuery.MAX_LIMIT) {
      throw ResponsesError.invalidRequest("limit", "integer_above_max_value", "Invalid 'limit': integer above maximum "
          + "value. Expected a value <= " + ItemQuery.MAX_LIMIT + ", but got " + limit + " instead.");
    }
    return limit;
  }

  private static ItemQuery.Order order(String value) {
    if (value == null || value.equals("desc")) {
      return ItemQuery.Order.DESC;
    }
    if (value.equals("asc")) {
      return ItemQuery.Order.ASC;
    }
    throw ResponsesError.invalidRequest("order", "invalid_value",
        "Invalid value: '" + value + "'. Supported values are: 'asc' and 'desc'.");
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ResponsesError.invalidRequest(null, "invalid_value", "The query string is not percent-encoded correctly.");
    }
  }
}
