package io.convstate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

/**
 * Stable ids for stored items. An item that has a string {@code id} keeps it; any other gets one
 * derived from where it entered the conversation: the response id of its turn, whether it was that
 * turn's input or output, and its position there. Items are never changed and the id does not
 * depend on key order, so a listing gives the same id on every backend and on every read, and an
 * item carried into later histories keeps the id it had in its own turn.
 *
 * <p>Derived ids look like OpenAI's: a prefix for the item type ({@code msg_}, {@code fc_},
 * {@code rs_}, ...) and 48 hex digits of SHA-256. Stateless and thread-safe.
 */
public final class ItemIds {

  /** The slot of an item in its turn's input. */
  public static final char INPUT = 'i';
  /** The slot of an item in its turn's output. */
  public static final char OUTPUT = 'o';

  private static final Map<String, String> PREFIXES = Map.ofEntries(
      Map.entry("message", "msg"),
      Map.entry("function_call", "fc"),
      Map.entry("function_call_output", "fco"),
      Map.entry("reasoning", "rs"),
      Map.entry("web_search_call", "ws"),
      Map.entry("file_search_call", "fs"),
      Map.entry("computer_call", "cu"),
      Map.entry("computer_call_output", "cuo"),
      Map.entry("image_generation_call", "ig"),
      Map.entry("code_interpreter_call", "ci"),
      Map.entry("local_shell_call", "lsh"),
      Map.entry("local_shell_call_output", "lsho"),
      Map.entry("mcp_call", "mcp"),
      Map.entry("mcp_list_tools", "mcpl"),
      Map.entry("mcp_approval_request", "mcpr"),
      Map.entry("mcp_approval_response", "mcpa"),
      Map.entry("custom_tool_call", "ctc"),
      Map.entry("custom_tool_call_output", "ctco"));

  private ItemIds() {}

  /**
   * The id of one stored item.
   *
   * @param itemJson the item, a JSON object as stored
   * @param responseId the response whose turn holds the item
   * @param slot {@link #INPUT} or {@link #OUTPUT}
   * @param index the item's position in that slot, from 0
   */
  public static String idOf(String itemJson, String responseId, char slot, int index) {
    String type = "message"; // an item without a type is an easy-form message
    try (JsonParser parser = Json.FACTORY.createParser(itemJson)) {
      parser.nextToken();
      for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_STRING && "id".equals(name) && !parser.getText().isEmpty()) {
          return parser.getText();
        }
        if (value == JsonToken.VALUE_STRING && "type".equals(name)) {
          type = parser.getText();
        }
        parser.skipChildren();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return prefixOf(type) + "_" + digest(responseId + '\u0000' + slot + index);
  }

  /**
   * The OpenAI id prefix for an item type, without the underscore: {@code msg} for
   * {@code message}, {@code fc} for {@code function_call}, ...; {@code item} for a type it does not
   * know.
   */
  public static String prefixOf(String type) {
    return PREFIXES.getOrDefault(type, "item");
  }

  private static String digest(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(48);
      for (int i = 0; i < 24; i++) {
        hex.append(Character.forDigit((hash[i] >> 4) & 0xF, 16)).append(Character.forDigit(hash[i] & 0xF, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
