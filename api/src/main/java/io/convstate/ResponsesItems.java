package io.convstate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Responses API's rules for turning a request's {@code input} and a response's {@code output}
 * into input items. Stateless and thread-safe.
 */
public final class ResponsesItems {

  private ResponsesItems() {}

  /**
   * A request's {@code input} as items: a string becomes one user message with one
   * {@code input_text} part; one item becomes a one-item array; an array is kept as it is. Items are
   * copied whole: nothing is added, dropped or reordered.
   *
   * @throws InvalidInputException naming {@code input} when input is null, missing, or neither a
   *     string, an object nor an array of objects
   */
  public static InputItems normalizeInput(JsonNode input) {
    if (input == null || input.isMissingNode() || input.isNull()) {
      throw new InvalidInputException("input", "is required");
    }
    if (input.isTextual()) {
      return InputItems.of("input", userMessage(input.textValue()));
    }
    if (input.isObject()) {
      ArrayNode one = Json.MAPPER.createArrayNode();
      one.add(input);
      return InputItems.of("input", one);
    }
    if (input.isArray()) {
      return InputItems.of("input", input);
    }
    throw new InvalidInputException("input", "must be a string, an item or an array of items, not " + InputItems.describe(input));
  }

  /**
   * A response's {@code output} items as input items of the next request. Output items (messages
   * with {@code output_text}, {@code function_call}, {@code reasoning} with
   * {@code encrypted_content}, ...) are valid input as they are, so they are kept whole.
   *
   * @throws InvalidInputException naming {@code output} when output is null or not an array of objects
   */
  public static InputItems outputAsInput(JsonNode output) {
    if (output == null || output.isMissingNode() || output.isNull()) {
      throw new InvalidInputException("output", "is required");
    }
    return InputItems.of("output", output);
  }

  /** One user message with one {@code input_text} part holding text. */
  private static ArrayNode userMessage(String text) {
    ArrayNode items = Json.MAPPER.createArrayNode();
    ObjectNode message = items.addObject().put("type", "message").put("role", "user");
    message.putArray("content").addObject().put("type", "input_text").put("text", text);
    return items;
  }
}
