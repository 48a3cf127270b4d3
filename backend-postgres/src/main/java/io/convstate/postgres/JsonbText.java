package io.convstate.postgres;

import io.convstate.InvalidInputException;
import java.util.Locale;

/**
 * What PostgreSQL cannot keep. Its {@code jsonb} refuses the escape {@code \u0000} (text cannot
 * hold NUL) and unpaired UTF-16 surrogates, escaped or raw; and pgjdbc sends a raw unpaired
 * surrogate in any text (an id, an owner) as {@code ?}, silently changing it. The store refuses
 * such values up front rather than alter them.
 */
final class JsonbText {

  private JsonbText() {}

  /**
   * Returns {@code json} when jsonb can keep it exactly.
   *
   * @throws InvalidInputException naming field otherwise
   */
  static String requireKeepable(String field, String json) {
    String problem = unkeepable(json);
    if (problem != null) {
      throw new InvalidInputException(field, problem);
    }
    return json;
  }

  /**
   * Returns {@code text} (an id, an owner, a model name; null passes) when it holds no unpaired
   * surrogate, which pgjdbc would send as {@code ?}.
   *
   * @throws InvalidInputException naming field otherwise
   */
  static String requireKeepableText(String field, String text) {
    int unpaired = unpairedSurrogate(text);
    if (unpaired >= 0) {
      throw new InvalidInputException(field, "contains an unpaired surrogate character U+"
          + Integer.toHexString(text.charAt(unpaired)).toUpperCase(Locale.ROOT) + ", which cannot be encoded as UTF-8");
    }
    return text;
  }

  /**
   * Whether PostgreSQL can hold {@code text} (null is fine): a value it cannot hold was never
   * stored, so a read of it finds nothing.
   */
  static boolean keepableText(String text) {
    return unpairedSurrogate(text) < 0;
  }

  private static int unpairedSurrogate(String text) {
    if (text == null) {
      return -1;
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Why JSONB cannot keep this (valid) JSON text exactly, or null when it can. Linear in the text,
   * no allocation: a backslash in valid JSON always starts an escape, so no tokenising is needed.
   */
  static String unkeepable(String json) {
    int length = json.length();
    for (int i = 0; i < length; i++) {
      char c = json.charAt(i);
      if (c == '\\') {
        if (json.charAt(i + 1) != 'u') {
          i++;
          continue;
        }
        int code = Integer.parseInt(json, i + 2, i + 6, 16);
        i += 5;
        if (code == 0) {
          return "contains the escape \\u0000 (NUL), which PostgreSQL's jsonb cannot store";
        }
        if (Character.isLowSurrogate((char) code)) {
          return "contains an unpaired surrogate escape \\u" + Integer.toHexString(code) + ", which PostgreSQL's jsonb cannot store";
        }
        if (Character.isHighSurrogate((char) code)) {
          boolean paired = i + 6 < length && json.charAt(i + 1) == '\\' && json.charAt(i + 2) == 'u'
              && Character.isLowSurrogate((char) Integer.parseInt(json, i + 3, i + 7, 16));
          if (!paired) {
            return "contains an unpaired surrogate escape \\u" + Integer.toHexString(code) + ", which PostgreSQL's jsonb cannot store";
          }
          i += 6;
        }
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(json.charAt(i + 1))) {
          i++;
        } else {
          return "contains an unpaired surrogate character U+" + Integer.toHexString(c).toUpperCase(Locale.ROOT)
              + ", which cannot be encoded as UTF-8";
        }
      }
    }
    return null;
  }

  /**
   * jsonb's text output ({@code {"a": 1, "b": [1, 2]}}) without the blanks it puts after colons and
   * commas, so that a stored object is no longer than the compact JSON it was written as (the
   * metadata size limit is checked again when a turn is read back).
   */
  static String compact(String jsonbText) {
    StringBuilder compact = null;
    boolean inString = false;
    int length = jsonbText.length();
    for (int i = 0; i < length; i++) {
      char c = jsonbText.charAt(i);
      if (inString) {
        if (c == '\\') {
          if (compact != null) {
            compact.append(c).append(jsonbText.charAt(i + 1));
          }
          i++;
          continue;
        }
        inString = c != '"';
      } else if (c == '"') {
        inString = true;
      } else if (c == ' ' && i > 0 && (jsonbText.charAt(i - 1) == ':' || jsonbText.charAt(i - 1) == ',')) {
        if (compact == null) {
          compact = new StringBuilder(length).append(jsonbText, 0, i);
        }
        continue;
      }
      if (compact != null) {
        compact.append(c);
      }
    }
    return compact == null ? jsonbText : compact.toString();
  }
}
