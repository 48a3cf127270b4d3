package io.convstate.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convstate.StrictJson;

/** The layer's one mapper (convstate's strict settings) and the words OpenAI uses for JSON types. */
final class JsonSupport {

  static final ObjectMapper MAPPER = StrictJson.newMapper();

  private JsonSupport() {}

  /**
   * What a value is, as OpenAI's messages say it: "a string", "an integer", "a decimal", "a boolean",
   * "an array", "an object"; null reads "an object" (as OpenAI reports a top-level null).
   */
  static String describe(JsonNode value) {
    if (value == null || value.isNull() || value.isObject()) {
      return "an object";
    }
    if (value.isTextual()) {
      return "a string";
    }
    if (value.isIntegralNumber()) {
      return "an integer";
    }
    if (value.isNumber()) {
      return "a decimal";
    }
    if (value.isBoolean()) {
      return "a boolean";
    }
    return value.isArray() ? "an array" : "an object";
  }
}
