package io.convstate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/** A validated JSON object kept as its text (a turn's metadata). Immutable. */
final class JsonObjectText {

  private final String json;
  private final long bytes;

  private JsonObjectText(String json, long bytes) {
    this.json = json;
    this.bytes = bytes;
  }

  /**
   * @throws InvalidInputException naming field when json is not one JSON object without repeated
   *     keys, or is over maxBytes of UTF-8
   */
  static JsonObjectText parse(String field, String json, int maxBytes) {
    String text = json.strip();
    long bytes = InputItems.utf8Length(text);
    if (bytes > maxBytes) {
      throw new InvalidInputException(field, "is " + bytes + " bytes of JSON, over the limit of " + maxBytes);
    }
    if (!text.startsWith("{")) {
      JsonNode node;
      try {
        node = Json.MAPPER.readTree(text);
      } catch (JsonProcessingException e) {
        throw new InvalidInputException(field, "is not valid JSON: " + e.getOriginalMessage(), e);
      }
      throw new InvalidInputException(field, "must be a JSON object, not "
          + (node == null ? "empty text" : InputItems.describe(node)));
    }
    InputItems checked;
    try {
      checked = InputItems.parse(field, "[" + text + "]"); // the checks of items: keys, strings, numbers
    } catch (InvalidInputException e) {
      throw new InvalidInputException(field, e.getMessage().substring(e.field().length() + 2), e);
    }
    if (checked.size() != 1) {
      throw new InvalidInputException(field, "must be one JSON object, not " + checked.size());
    }
    return new JsonObjectText(text, bytes);
  }

  String json() {
    return json;
  }

  long bytes() {
    return bytes;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof JsonObjectText && ((JsonObjectText) other).json.equals(json);
  }

  @Override
  public int hashCode() {
    return json.hashCode();
  }
}
