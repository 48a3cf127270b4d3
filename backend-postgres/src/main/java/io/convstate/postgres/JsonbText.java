package io.convstate.postgres;

import java.util.Locale;
/**
 * What JSONB cannot keep. PostgreSQL's {@code jsonb} refuses the escape {@code \u0000} (text
 * cannot hold NUL) and unpaired UTF-16 surrogates, escaped or raw (a raw one would be sent as
 * {@code ?}, silently changing the document). The store refuses such items up front rather than
 * alter them.
 */
final class JsonbText {

  private JsonbText() {}

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
}
