package io.convstate.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A request's {@code input} as OpenAI's API reference defines it, normalised to the items OpenAI
 * lists back: a string is one user message with one {@code input_text} part; an array holds items.
 * An easy-form message ({@code {"role":"user","content":"text"}}) becomes a full message
 * ({@code "type":"message"}, the text as one {@code input_text} part, {@code output_text} for the
 * assistant); an item reference ({@code {"type":"item_reference","id":..}} or {@code {"id":..}})
 * is kept for {@link ItemReferences} to resolve. Any other item is kept whole: its type and fields
 * are the model's business.
 *
 * <p>Stateless and thread-safe.
 */
final class InputNormalizer {

  private static final Set<String> ROLES = Set.of("user", "assistant", "system", "developer");
  private static final String ROLE_VALUES = "'assistant', 'system', 'developer', and 'user'";

  private InputNormalizer() {}

  /**
   * @param input the request's {@code input}: present, a string or an array
   * @return a new array of the normalised items
   * @throws ResponsesError 400 naming the item at fault
   */
  static ArrayNode normalize(JsonNode input) {
    ArrayNode items = JsonSupport.MAPPER.createArrayNode();
    if (input.isTextual()) {
      if (!input.textValue().isEmpty()) {
        items.add(message("user", input.textValue()));
      }
      return items;
    }
    for (int i = 0; i < input.size(); i++) {
      items.add(item("input[" + i + "]", input.get(i)));
    }
    return items;
  }

  /** A user message holding one {@code input_text} part. */
  static ObjectNode message(String role, String text) {
    ObjectNode message = JsonSupport.MAPPER.createObjectNode().put("type", "message").put("role", role);
    message.putArray("content").add(textPart(role, text));
    return message;
  }

  /** Whether an item is a reference to an item of an earlier response. */
  static boolean isReference(JsonNode item) {
    JsonNode type = item.get("type");
    if (type != null && !type.isNull()) {
      return "item_reference".equals(type.asText());
    }
    return item.has("id") && item.size() == (type == null ? 1 : 2);
  }

  private static JsonNode item(String param, JsonNode item) {
    if (item == null || !item.isObject()) {
      throw ResponsesError.invalidRequest(param, "invalid_type", "Invalid type for '" + param
          + "': expected an input item, but got " + (item == null || item.isNull() ? "null" : JsonSupport.describe(item))
          + " instead.");
    }
    JsonNode type = item.get("type");
    if (type != null && !type.isNull() && !type.isTextual()) {
      throw ResponsesError.invalidRequest(param + ".type", "invalid_type",
          "Invalid type for '" + param + ".type': expected a string, but got " + JsonSupport.describe(type) + " instead.");
    }
    if (isReference(item)) {
      if (!item.path("id").isTextual() || item.path("id").textValue().isEmpty()) {
        throw ResponsesError.invalidRequest(param + ".id", "missing_required_parameter",
            "Missing required parameter: '" + param + ".id'.");
      }
      return item;
    }
    if (type != null && !type.isNull() && !"message".equals(type.textValue())) {
      return item;
    }
    return fullMessage(param, (ObjectNode) item);
  }

  private static JsonNode fullMessage(String param, ObjectNode item) {
    JsonNode role = item.get("role");
    if (role == null || !role.isTextual() || !ROLES.contains(role.textValue())) {
      String given = role != null && role.isTextual() ? role.textValue() : "";
      throw ResponsesError.invalidRequest(param, "invalid_value",
          "Invalid value: '" + given + "'. Supported values are: " + ROLE_VALUES + ".");
    }
    JsonNode content = item.get("content");
    if (content == null) {
      throw ResponsesError.invalidRequest(param + ".content", "missing_required_parameter",
          "Missing required parameter: '" + param + ".content'.");
    }
    if (!content.isTextual() && !content.isArray()) {
      throw ResponsesError.invalidRequest(param + ".content", "invalid_type", "Invalid type for '" + param
          + ".content': expected one of a string or array of input content, but got " + JsonSupport.describe(content)
          + " instead.");
    }
    if (item.has("type") && content.isArray()) {
      return item; // already the full form: kept as given
    }
    ObjectNode full = JsonSupport.MAPPER.createObjectNode().put("type", "message");
    for (Iterator<Map.Entry<String, JsonNode>> fields = item.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getKey().equals("content") && content.isTextual()) {
        full.putArray("content").add(textPart(role.textValue(), content.textValue()));
      } else if (!field.getKey().equals("type")) {
        full.set(field.getKey(), field.getValue());
      }
    }
    return full;
  }

  private static ObjectNode textPart(String role, String text) {
    return JsonSupport.MAPPER.createObjectNode()
        .put("type", "assistant".equals(role) ? "output_text" : "input_text")
        .put("text", text);
  }
}
