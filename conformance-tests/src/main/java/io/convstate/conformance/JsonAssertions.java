package io.convstate.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;
import org.opentest4j.AssertionFailedError;

/**
 * JSON equality as the kit means it: the same tree, keys in any order, white space ignored,
 * strings equal to the character, numbers equal in value with every digit (9007199254740993 is not
 * 9007199254740992; 6.02214076e+23 equals 602214076000000000000000).
 */
public final class JsonAssertions {

  /** Reads JSON with exact numbers (no rounding to double). */
  public static final ObjectMapper EXACT =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false)
          .build();

  static {
    EXACT.getFactory().setStreamReadConstraints(
        StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build());
  }

  private JsonAssertions() {}

  /** Parses text with exact numbers. */
  public static JsonNode parse(String json) {
    try {
      return EXACT.readTree(json);
    } catch (JsonProcessingException e) {
      throw new AssertionFailedError("not valid JSON: " + e.getOriginalMessage());
    }
  }

  /** Reads a classpath resource of the kit, such as {@code json-edge-cases.json}. */
  public static JsonNode resource(String name) {
    try (InputStream in = JsonAssertions.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("kit resource missing: " + name);
      }
      return EXACT.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @throws AssertionFailedError naming the first path where the trees differ
   */
  public static void assertJsonEquals(JsonNode expected, JsonNode actual) {
    String difference = difference("$", expected, actual);
    if (difference != null) {
      throw new AssertionFailedError("JSON differs at " + difference);
    }
  }

  /** The path and description of the first difference, or null when equal. */
  static String difference(String path, JsonNode expected, JsonNode actual) {
    if (expected.isNumber() && actual.isNumber()) {
      return expected.decimalValue().compareTo(actual.decimalValue()) == 0
          ? null
          : path + ": expected number " + expected + " but was " + actual;
    }
    if (expected.getNodeType() != actual.getNodeType()) {
      return path + ": expected " + expected.getNodeType() + " but was " + actual.getNodeType();
    }
    if (expected.isObject()) {
      if (expected.size() != actual.size()) {
        return path + ": expected keys " + names(expected) + " but was " + names(actual);
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode other = actual.get(field.getKey());
        if (other == null) {
          return path + ": missing key \"" + field.getKey() + "\"";
        }
        String inner = difference(path + "." + field.getKey(), field.getValue(), other);
        if (inner != null) {
          return inner;
        }
      }
      return null;
    }
    if (expected.isArray()) {
      if (expected.size() != actual.size()) {
        return path + ": expected " + expected.size() + " elements but was " + actual.size();
      }
      for (int i = 0; i < expected.size(); i++) {
        String inner = difference(path + "[" + i + "]", expected.get(i), actual.get(i));
        if (inner != null) {
          return inner;
        }
      }
      return null;
    }
    if (expected.isTextual()) {
      return expected.textValue().equals(actual.textValue())
          ? null
          : path + ": strings differ (expected " + abbreviate(expected.textValue()) + ", was " + abbreviate(actual.textValue()) + ")";
    }
    return expected.equals(actual) ? null : path + ": expected " + expected + " but was " + actual;
  }

  private static String names(JsonNode object) {
    StringBuilder names = new StringBuilder("[");
    object.fieldNames().forEachRemaining(name -> names.append(names.length() == 1 ? "" : ", ").append(name));
    return names.append(']').toString();
  }

  private static String abbreviate(String text) {
    return text.length() <= 80 ? "\"" + text + "\"" : "\"" + text.substring(0, 77) + "...\" (" + text.length() + " chars)";
  }
}
