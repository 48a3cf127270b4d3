package io.convstate;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in configuration values before they reach {@code toString}, logs or messages:
 * whole values of keys that name a secret, the password in a URI's user info, and
 * {@code password=} parameters.
 */
public final class Secrets {

  /** What a masked secret is replaced with. */
  public static final String MASK = "****";

  /** user:password@ -- the user part may hold an unencoded {@code @}; the password ends at the last {@code @}. */
  private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(://[^/?#:\\s]*:)[^\\n]*(@)");
  /** redis://secret@host: Redis clients read user info without a colon as a password. */
  private static final Pattern REDIS_BARE_PASSWORD = Pattern.compile("(?i)(rediss?://)[^/?#:@\\s]+(@)");
  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)((?:password|passwd|pwd|sslpassword)=)[^&;]*");

  private Secrets() {}

  /** True when the key names a secret (its whole value is masked). */
  public static boolean isSecretKey(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    return lower.contains("password") || lower.contains("secret") || lower.contains("token");
  }

  /** The value with every secret masked; null stays null. */
  public static String mask(String key, String value) {
    if (value == null) {
      return null;
    }
    return isSecretKey(key) ? MASK : maskInText(value);
  }

  /**
   * The text with passwords in URIs and {@code password=} parameters masked. A URI password is
   * masked up to the last {@code @} of the URI, so a password with an unencoded {@code @} does not
   * leak its tail.
   */
  public static String maskInText(String text) {
    if (text == null) {
      return null;
    }
    String masked = USER_INFO_PASSWORD.matcher(text).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "$2");
    masked = REDIS_BARE_PASSWORD.matcher(masked).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "$2");
    return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1" + Matcher.quoteReplacement(MASK));
  }
}
