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
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(field, "is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new InvalidInputException(field, "must be a JSON object, not "
          + (node == null ? "empty text" : InputItems.describe(node)));
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
