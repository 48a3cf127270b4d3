package io.convstate.responses;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.Validation;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates a {@code POST /v1/responses} body from its raw bytes with convstate's
 * strict JSON settings (exact numbers, duplicate keys refused), answering each fault with OpenAI's
 * error: {@code model}, {@code input}, {@code previous_response_id}, {@code instructions},
 * {@code store}, {@code stream}, {@code metadata}; {@code background}, {@code conversation} and
 * {@code prompt}, which this layer does not serve, are refused. A parameter OpenAI does not know is
 * refused as {@code unknown_parameter}; the sampling ones ({@code temperature}, {@code top_p},
 * {@code max_output_tokens}, {@code top_logprobs}, {@code max_tool_calls},
 * {@code parallel_tool_calls}, {@code truncation}) are checked as OpenAI checks them; the others
 * ({@code tools}, {@code text}, {@code reasoning}, ...) are the model's and pass unchecked.
 * Stateless and thread-safe.
 */
final class RequestParser {

  /** OpenAI's limits on {@code metadata}. */
  static final int METADATA_MAX_PAIRS = 16;
  static final int METADATA_MAX_KEY = 64;
  static final int METADATA_MAX_VALUE = 512;

  private static final String UNPARSEABLE = "We could not parse the JSON body of your request. (HINT: This likely "
      + "means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent "
      + "was not valid JSON.";

  private RequestParser() {}

  /**
   * @throws ResponsesError 400 with OpenAI's message, param and code for the first fault found
   */
  static ParsedRequest parse(byte[] body) {
    ObjectNode request = parseObject(body);
    refuseUnknown(request);
    String model = model(request.get("model"));
    JsonNode rawInput = request.has("input") ? request.get("input") : JsonSupport.MAPPER.createArrayNode();
    if (!rawInput.isTextual() && !rawInput.isArray()) {
      throw ResponsesError.invalidRequest("input", "invalid_type", rawInput.isNull()
          ? "Invalid type for 'input': expected a string, but got an object instead."
          : "Invalid type for 'input': expected one of a string or array of input items, but got "
              + JsonSupport.describe(rawInput) + " instead.");
    }
    ArrayNode input = InputNormalizer.normalize(rawInput);
    String previous = optionalString(request, "previous_response_id");
    if (previous != null) {
      ResponseIdFormat.require("previous_response_id", previous);
    }
    String instructions = optionalString(request, "instructions");
    boolean store = optionalBoolean(request, "store", true);
    boolean stream = optionalBoolean(request, "stream", false);
    if (optionalBoolean(request, "background", false)) {
      throw unsupported("background", "background mode");
    }
    refuseIfPresent(request, "conversation", "the Conversations API; continue a conversation with previous_response_id");
    refuseIfPresent(request, "prompt", "stored prompt templates");
    ObjectNode metadata = metadata(request.get("metadata"));
    checkSampling(request);
    if (input.isEmpty() && previous == null) {
      throw ResponsesError.invalidRequest(null, "missing_required_parameter",
          "One of \"input\" or \"previous_response_id\" or 'prompt' or 'conversation' must be provided.");
    }
    return new ParsedRequest(request, model, input, previous, instructions, store, stream, metadata);
  }

  /** The body parameters of OpenAI's create (the official SDKs' ResponseCreateParams). */
  private static final Set<String> PARAMETERS = Set.of("background", "context_management", "conversation", "include",
      "input", "instructions", "max_output_tokens", "max_tool_calls", "metadata", "model", "moderation",
      "parallel_tool_calls", "previous_response_id", "prompt", "prompt_cache_key", "prompt_cache_options",
      "prompt_cache_retention", "reasoning", "safety_identifier", "service_tier", "store", "stream", "stream_options",
      "temperature", "text", "tool_choice", "tools", "top_logprobs", "top_p", "truncation", "user");

  private static void refuseUnknown(ObjectNode request) {
    for (Iterator<String> names = request.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!PARAMETERS.contains(name)) {
        throw ResponsesError.invalidRequest(name, "unknown_parameter", "Unknown parameter: '" + name + "'.");
      }
    }
  }

  /** The model's sampling parameters that OpenAI range-checks before anything else; null is their default. */
  private static void checkSampling(ObjectNode request) {
    decimal(request, "temperature", 0, 2);
    decimal(request, "top_p", 0, 1);
    integer(request, "max_output_tokens", 16, Integer.MAX_VALUE);
    integer(request, "top_logprobs", 0, 20);
    integer(request, "max_tool_calls", 0, Integer.MAX_VALUE);
    optionalBoolean(request, "parallel_tool_calls", true);
    String truncation = optionalString(request, "truncation");
    if (truncation != null && !truncation.equals("auto") && !truncation.equals("disabled")) {
      throw ResponsesError.invalidRequest("truncation", "invalid_value",
          "Invalid value: '" + truncation + "'. Supported values are: 'auto' and 'disabled'.");
    }
  }

  private static void decimal(ObjectNode request, String name, double min, double max) {
    JsonNode value = request.get(name);
    if (value == null || value.isNull()) {
      return;
    }
    if (!value.isNumber()) {
      throw invalidType(name, "a decimal", value);
    }
    if (value.doubleValue() < min || value.doubleValue() > max) {
      boolean below = value.doubleValue() < min;
      throw ResponsesError.invalidRequest(name, below ? "decimal_below_min_value" : "decimal_above_max_value",
          "Invalid '" + name + "': decimal " + (below ? "below minimum" : "above maximum") + " value. Expected a value "
              + (below ? ">= " + plain(min) : "<= " + plain(max)) + ", but got " + value.asText() + " instead.");
    }
  }

  private static void integer(ObjectNode request, String name, long min, long max) {
    JsonNode value = request.get(name);
    if (value == null || value.isNull()) {
      return;
    }
    if (!value.isIntegralNumber()) {
      throw invalidType(name, "an integer", value);
    }
    if (!value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
      boolean below = value.canConvertToLong() && value.longValue() < min;
      throw ResponsesError.invalidRequest(name, below ? "integer_below_min_value" : "integer_above_max_value",
          "Invalid '" + name + "': integer " + (below ? "below minimum" : "above maximum") + " value. Expected a value "
              + (below ? ">= " + min : "<= " + max) + ", but got " + value.asText() + " instead.");
    }
  }

  private static String plain(double bound) {
    return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
  }

  private static ObjectNode parseObject(byte[] body) {
    JsonNode tree;
    try {
      tree = JsonSupport.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw ResponsesError.invalidRequest(null, null, UNPARSEABLE + " The parser said: " + e.getOriginalMessage() + ")");
    } catch (IOException e) {
      throw ResponsesError.invalidRequest(null, null, UNPARSEABLE + ")");
    }
    if (tree == null || !tree.isObject()) {
      throw ResponsesError.invalidRequest(null, null, UNPARSEABLE + " The body must be one JSON object.)");
    }
    return (ObjectNode) tree;
  }

  private static String model(JsonNode model) {
    if (model == null) {
      throw missing("model");
    }
    if (!model.isTextual()) {
      throw invalidType("model", "a string", model);
    }
    String name = model.textValue();
    if (name.isBlank()) {
      throw ResponsesError.invalidRequest("model", "model_not_found", "The requested model '" + name + "' does not exist.");
    }
    if (name.length() > Validation.MAX_NAME_LENGTH) {
      throw tooLong("model", Validation.MAX_NAME_LENGTH, name.length());
    }
    if (name.indexOf('\0') >= 0) {
      throw ResponsesError.invalidRequest("model", "invalid_value", "Invalid 'model': must not contain the NUL character.");
    }
    return name;
  }

  private static ObjectNode metadata(JsonNode metadata) {
    if (metadata == null || metadata.isNull()) {
      return null;
    }
    if (!metadata.isObject()) {
      throw ResponsesError.invalidRequest("metadata", "invalid_type", "Invalid type for 'metadata': expected a metadata "
          + "object, but got " + JsonSupport.describe(metadata) + " instead.");
    }
    if (metadata.size() > METADATA_MAX_PAIRS) {
      throw ResponsesError.invalidRequest("metadata", "object_above_max_properties", "Invalid 'metadata': too many "
          + "properties. Expected an object with at most " + METADATA_MAX_PAIRS + " properties, but got an object with "
          + metadata.size() + " properties instead.");
    }
    for (Iterator<Map.Entry<String, JsonNode>> pairs = metadata.fields(); pairs.hasNext(); ) {
      Map.Entry<String, JsonNode> pair = pairs.next();
      String param = "metadata." + pair.getKey();
      int keyLength = pair.getKey().codePointCount(0, pair.getKey().length());
      if (keyLength > METADATA_MAX_KEY) {
        throw ResponsesError.invalidRequest(param, "string_above_max_length", "Invalid property name in 'metadata': '"
            + pair.getKey() + "' is too long. Expected a string with maximum length " + METADATA_MAX_KEY
            + ", but got a string with length " + keyLength + " instead.");
      }
      if (!pair.getValue().isTextual()) {
        throw invalidType(param, "a string", pair.getValue());
      }
      String value = pair.getValue().textValue();
      int valueLength = value.codePointCount(0, value.length());
      if (valueLength > METADATA_MAX_VALUE) {
        throw tooLong(param, METADATA_MAX_VALUE, valueLength);
      }
    }
    return (ObjectNode) metadata;
  }

  private static String optionalString(ObjectNode request, String name) {
    JsonNode value = request.get(name);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw invalidType(name, "a string", value);
    }
    return value.textValue();
  }

  private static boolean optionalBoolean(ObjectNode request, String name, boolean absent) {
    JsonNode value = request.get(name);
    if (value == null || value.isNull()) {
      return absent;
    }
    if (!value.isBoolean()) {
      throw invalidType(name, "a boolean", value);
    }
    return value.booleanValue();
  }

  private static void refuseIfPresent(ObjectNode request, String name, String what) {
    JsonNode value = request.get(name);
    if (value != null && !value.isNull()) {
      throw unsupported(name, what);
    }
  }

  private static ResponsesError unsupported(String param, String what) {
    return ResponsesError.invalidRequest(param, "unsupported_parameter",
        "Unsupported parameter: '" + param + "' (" + what + ") is not supported by this server.");
  }

  private static ResponsesError missing(String param) {
    return ResponsesError.invalidRequest(param, "missing_required_parameter", "Missing required parameter: '" + param + "'.");
  }

  private static ResponsesError invalidType(String param, String expected, JsonNode given) {
    return ResponsesError.invalidRequest(param, "invalid_type",
        "Invalid type for '" + param + "': expected " + expected + ", but got " + JsonSupport.describe(given) + " instead.");
  }

  private static ResponsesError tooLong(String param, int max, int length) {
    return ResponsesError.invalidRequest(param, "string_above_max_length", "Invalid '" + param + "': string too long. "
        + "Expected a string with maximum length " + max + ", but got a string with length " + length + " instead.");
  }
}
