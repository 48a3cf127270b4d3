package io.convstate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * An immutable JSON array of Responses API items: the history a request continues from.
 *
 * <p>Items are kept as the JSON text they were given (validated once, never re-serialised), so
 * reading a state back yields the same text and numbers keep every digit. {@link #concat} shares
 * the structure of both sides instead of copying: a conversation of n turns held in memory costs
 * memory linear in its length, not quadratic.
 *
 * <p>Validation is strict, so that every backend can keep what it accepts exactly: the text must
 * be one JSON array whose elements are JSON objects, with no duplicate keys in any object.
 *
 * <p>Instances are immutable and thread-safe. {@link #toJsonNode()} returns a fresh tree each
 * call; changing it never changes this value.
 */
public final class InputItems {

  private static final InputItems EMPTY = new InputItems(null, "[]", 0, 0);

  /** The items before this node's own segment, or null. Never an empty instance. */
  private final InputItems prefix;
  /** This node's items as a JSON array text, as given but for outer white space; "[]" for EMPTY. */
  private final String segment;
  private final int size;
  /** UTF-8 length of all segments joined by commas, without the enclosing brackets. */
  private final long contentBytes;

  private InputItems(InputItems prefix, String segment, int size, long contentBytes) {
    this.prefix = prefix;
    this.segment = segment;
    this.size = size;
    this.contentBytes = contentBytes;
  }

  /** The empty array. */
  public static InputItems empty() {
    return EMPTY;
  }

  /**
   * Validates and wraps JSON text.
   *
   * @param json a JSON array of objects; surrounding white space is allowed
   * @throws InvalidInputException naming {@code input_items} when json is null, not valid JSON,
   *     not an array, has an element that is not an object, or repeats a key within an object
   */
  public static InputItems parse(String json) {
    return parse("input_items", json);
  }

  /**
   * As {@link #parse(String)}, naming {@code field} in the exception.
   *
   * @throws InvalidInputException naming field
   */
  public static InputItems parse(String field, String json) {
    if (json == null) {
      throw new InvalidInputException(field, "must not be null");
    }
    int count = validate(field, json);
    if (count == 0) {
      return EMPTY;
    }
    String array = json.strip();
    return new InputItems(null, array, count, utf8Length(array) - 2);
  }

  /**
   * Items read back from storage that validated them when they were written (for store
   * implementations). Only the outer brackets are checked, so reading a large state costs no
   * parse; pass text from anywhere else to {@link #parse(String)}.
   *
   * @param json a JSON array of objects, as the storage returns it
   * @param size the number of items in it (for example PostgreSQL's {@code jsonb_array_length})
   * @throws IllegalArgumentException when json is not bracketed as an array or size is negative
   */
  public static InputItems ofStored(String json, int size) {
    String array = json.strip();
    if (size < 0 || array.length() < 2 || array.charAt(0) != '[' || array.charAt(array.length() - 1) != ']') {
      throw new IllegalArgumentException("stored items are not a JSON array: " + size + " items, "
          + array.length() + " characters");
    }
    return size == 0 ? EMPTY : new InputItems(null, array, size, utf8Length(array) - 2);
  }

  /**
   * Copies a JSON tree. Later changes to {@code array} do not affect the result.
   *
   * @throws InvalidInputException naming {@code input_items} when array is null or is not an array
   *     of objects
   */
  public static InputItems of(JsonNode array) {
    return of("input_items", array);
  }

  /**
   * As {@link #of(JsonNode)}, naming {@code field} in the exception.
   *
   * @throws InvalidInputException naming field
   */
  public static InputItems of(String field, JsonNode array) {
    if (array == null) {
      throw new InvalidInputException(field, "must not be null");
    }
    if (!array.isArray()) {
      throw new InvalidInputException(field, "must be a JSON array, not " + describe(array));
    }
    try {
      return parse(field, Json.MAPPER.writeValueAsString(array));
    } catch (JsonProcessingException e) {
      throw new InvalidInputException(field, "cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The number of items. */
  public int size() {
    return size;
  }

  /** True when there are no items. */
  public boolean isEmpty() {
    return size == 0;
  }

  /** The length in bytes of {@link #toJson()} encoded as UTF-8, computed without building it. */
  public long jsonBytes() {
    return contentBytes + 2;
  }

  /**
   * Each item's JSON text, in order (for listings; a read of a history never needs it).
   * Costs a scan of the text.
   */
  public java.util.List<String> elements() {
    java.util.List<String> elements = new java.util.ArrayList<>(size);
    for (InputItems node : nodes()) {
      String array = node.segment;
      int firstIndex = elements.size();
      int own = node.prefix == null ? node.size : node.size - node.prefix.size;
      try (JsonParser parser = Json.FACTORY.createParser(array)) {
        parser.nextToken();
        while (parser.nextToken() == JsonToken.START_OBJECT) {
          int start = (int) parser.currentTokenLocation().getCharOffset();
          parser.skipChildren();
          int end = (int) parser.currentLocation().getCharOffset();
          elements.add(array.substring(start, end));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (elements.size() - firstIndex != own) {
        throw new IllegalStateException("stored items hold " + (elements.size() - firstIndex) + " items, not " + own);
      }
    }
    return elements;
  }

  /**
   * These items followed by {@code next}'s, sharing the structure of both (no copy of either).
   *
   * @throws NullPointerException when next is null
   */
  public InputItems concat(InputItems next) {
    if (next.size == 0) {
      return this;
    }
    if (size == 0) {
      return next;
    }
    InputItems result = this;
    for (InputItems node : next.nodes()) {
      InputItems before = node.prefix;
      int count = before == null ? node.size : node.size - before.size;
      long bytes = before == null ? node.contentBytes : node.contentBytes - before.contentBytes - 1;
      result = new InputItems(result, node.segment, result.size + count, result.contentBytes + 1 + bytes);
    }
    return result;
  }

  /**
   * The items as JSON text. For items from {@link #parse} this is the text given (less outer white
   * space); concatenated items are joined with a comma, each side's text unchanged.
   */
  public String toJson() {
    if (prefix == null) {
      return segment;
    }
    InputItems[] nodes = nodes();
    StringBuilder json = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 8, contentBytes + 2));
    json.append('[');
    for (int i = 0; i < nodes.length; i++) {
      if (i > 0) {
        json.append(',');
      }
      String array = nodes[i].segment;
      json.append(array, 1, array.length() - 1);
    }
    return json.append(']').toString();
  }

  /**
   * A new, mutable tree of the items, with exact numbers (big integers and decimals keep every
   * digit). The caller owns it.
   */
  public ArrayNode toJsonNode() {
    try {
      return (ArrayNode) Json.MAPPER.readTree(toJson());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("validated items failed to parse", e);
    }
  }

  /** Equal when the JSON texts are equal. Two texts that differ only in white space are not. */
  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    return other instanceof InputItems
        && ((InputItems) other).size == size
        && ((InputItems) other).contentBytes == contentBytes
        && ((InputItems) other).toJson().equals(toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  /** A short description (item count and size), never the content. */
  @Override
  public String toString() {
    return "InputItems[" + size + " items, " + jsonBytes() + " bytes]";
  }

  /** The nodes from first to last; empty for the empty instance. */
  private InputItems[] nodes() {
    int count = 0;
    for (InputItems node = this; node != null && node.size > 0; node = node.prefix) {
      count++;
    }
    InputItems[] nodes = new InputItems[count];
    InputItems node = this;
    for (int i = count - 1; i >= 0; i--, node = node.prefix) {
      nodes[i] = node;
    }
    return nodes;
  }

  /** Checks the text fully (every string decoded) and returns the number of items. */
  private static int validate(String field, String json) {
    try (JsonParser parser = Json.FACTORY.createParser(json)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_ARRAY) {
        throw new InvalidInputException(
            field, "must be a JSON array, not " + (first == null ? "empty text" : describe(first)));
      }
      int count = 0;
      for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
        if (token != JsonToken.START_OBJECT) {
          throw new InvalidInputException(
              field + "[" + count + "]", "must be a JSON object, not " + describe(token));
        }
        readObject(field + "[" + count + "]", parser);
        count++;
      }
      if (parser.nextToken() != null) {
        throw new InvalidInputException(field, "has text after the closing ']' of the array");
      }
      return count;
    } catch (JsonProcessingException e) {
      if (e.getOriginalMessage().contains("Non-standard token")) {
        throw new InvalidInputException(field, "holds NaN or Infinity, which JSON cannot represent" + location(e), e);
      }
      throw new InvalidInputException(
          field, "is not valid JSON: " + e.getOriginalMessage() + location(e), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads to the end of the object just started, decoding every string so bad escapes fail. */
  private static void readObject(String field, JsonParser parser) throws IOException {
    int depth = 1;
    while (depth > 0) {
      JsonToken token = parser.nextToken();
      if (token == null) {
        return; // the parser reports the unexpected end on the next call
      }
      switch (token) {
        case START_OBJECT:
        case START_ARRAY:
          depth++;
          break;
        case END_OBJECT:
        case END_ARRAY:
          depth--;
          break;
        case FIELD_NAME:
        case VALUE_STRING:
          parser.getTextLength();
          break;
        case VALUE_NUMBER_INT:
        case VALUE_NUMBER_FLOAT:
          requireBoundedNumber(field, parser);
          break;
        default:
          break;
      }
    }
  }

  /** The most characters a number may take written out without an exponent (Jackson's read limit). */
  static final int MAX_NUMBER_LENGTH = 1_000;

  /**
   * Refuses a number that a backend would store written out in full and could not read back:
   * PostgreSQL renders {@code 1e1000} as 1,001 digits.
   */
  static void requireBoundedNumber(String field, JsonParser parser) throws IOException {
    if (parser.currentToken() == JsonToken.VALUE_NUMBER_INT) {
      return; // its text is its plain notation, already within the parser's length limit
    }
    java.math.BigDecimal value = parser.getDecimalValue();
    long scale = value.scale();
    long precision = value.precision();
    long plain = scale <= 0 ? precision - scale : Math.max(precision, scale + 1) + 1;
    if (plain + 1 > MAX_NUMBER_LENGTH) {
      throw new InvalidInputException(
          field, "holds the number " + abbreviate(parser.getText()) + ", which would be " + plain + " characters written out; a number is limited to "
              + MAX_NUMBER_LENGTH + " characters (line " + parser.currentLocation().getLineNr() + ", column "
              + parser.currentLocation().getColumnNr() + ")");
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 37) + "...";
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
  }

  private static String describe(JsonToken token) {
    switch (token) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      case VALUE_NULL:
        return "null";
      default:
        return token.toString();
    }
  }

  /** "an object", "a string", "number", ...: what a JSON value is, for messages. */
  static String describe(JsonNode node) {
    return node.isObject() ? "an object" : node.isTextual() ? "a string" : node.getNodeType().toString().toLowerCase(Locale.ROOT);
  }

  static long utf8Length(CharSequence text) {
    long bytes = 0;
    int length = text.length();
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
