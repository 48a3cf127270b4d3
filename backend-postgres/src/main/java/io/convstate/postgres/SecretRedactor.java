package io.convstate.postgres;

import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import io.convstate.Secrets;

/**
 * Removes a connection string's password from text that may quote it: a driver message naming a
 * host the string was split at wrongly, a parse error, a description. It does not rely on the
 * string having been parsed right: it takes every span that could be the password under any split
 * (up to the first and to the last {@code @}, every {@code password=} parameter), as written,
 * percent-decoded and percent-encoded, and masks each occurrence of any of them and of any fragment
 * of 4 characters or more. Over-masking (a user name equal to the password) is the price; a
 * password of fewer than 4 characters is not masked in free text (it would mask single letters).
 * Immutable and thread-safe.
 */
final class SecretRedactor {

  static final SecretRedactor NONE = new SecretRedactor(List.of());

  private static final int SHORTEST_FRAGMENT = 4;

  private final List<String> secrets;

  private SecretRedactor(List<String> secrets) {
    this.secrets = secrets;
  }

  /**
   * The redactor of a connection string and a {@code password} option.
   *
   * @param connectionString may be null
   * @param passwordOption may be null
   */
  static SecretRedactor of(String connectionString, String passwordOption) {
    Set<String> raw = new LinkedHashSet<>();
    if (passwordOption != null) {
      raw.add(passwordOption);
    }
    if (connectionString != null) {
      String text = connectionString.strip();
      int scheme = text.indexOf("//");
      String rest = scheme < 0 ? text : text.substring(scheme + 2);
      for (int at : new int[] {rest.indexOf('@'), rest.lastIndexOf('@')}) {
        if (at > 0) {
          int colon = rest.indexOf(':');
          if (colon >= 0 && colon < at) {
            raw.add(rest.substring(colon + 1, at));
          }
        }
      }
      String lower = text.toLowerCase(Locale.ROOT);
      for (int from = lower.indexOf("password="); from >= 0; from = lower.indexOf("password=", from + 1)) {
        int start = from + "password=".length();
        int end = text.indexOf('&', start);
        raw.add(text.substring(start, end < 0 ? text.length() : end));
        raw.add(text.substring(start)); // a password holding an unencoded '&'
      }
    }
    Set<String> all = new LinkedHashSet<>();
    for (String secret : raw) {
      String decoded = lenientDecode(secret);
      all.add(secret);
      all.add(decoded);
      all.add(URLEncoder.encode(decoded, StandardCharsets.UTF_8));
      all.add(URLEncoder.encode(decoded, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    // Shorter ones would mask letters all over a message and protect nothing (see the class comment).
    all.removeIf(secret -> secret.length() < SHORTEST_FRAGMENT);
    List<String> sorted = new ArrayList<>(all);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return new SecretRedactor(List.copyOf(sorted));
  }

  /** The text with every secret and every fragment of 4+ characters of one masked; null stays null. */
  String redact(String text) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String result = text;
    for (String secret : secrets) {
      result = result.replace(secret, Secrets.MASK);
    }
    for (String secret : secrets) {
      for (int length = secret.length() - 1; length >= SHORTEST_FRAGMENT; length--) {
        for (int start = 0; start + length <= secret.length(); start++) {
          String fragment = secret.substring(start, start + length);
          if (!fragment.equals(Secrets.MASK) && result.contains(fragment)) {
            result = result.replace(fragment, Secrets.MASK);
          }
        }
      }
    }
    return result;
  }

  /** Percent-decoding that keeps what is not a valid escape as it is. */
  private static String lenientDecode(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int high = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
      int low = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
      if (c == '%' && high >= 0 && low >= 0) {
        bytes.write(high * 16 + low);
        i += 2;
      } else {
        byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
