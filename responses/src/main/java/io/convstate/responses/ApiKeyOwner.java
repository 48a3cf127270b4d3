package io.convstate.responses;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * An owner for each API key: the SHA-256 of the bearer token, as 64 hex digits, so that two keys
 * never see each other's responses and the key itself is never stored. Stateless and thread-safe.
 */
public final class ApiKeyOwner {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private ApiKeyOwner() {}

  /**
   * The owner of a request.
   *
   * @param authorization the {@code Authorization} header; null when absent
   * @return the hash of its bearer token; empty when there is no non-blank bearer token
   */
  public static Optional<String> fromAuthorization(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        || authorization.substring(7).isBlank()) {
      return Optional.empty();
    }
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8));
      char[] hex = new char[64];
      for (int i = 0; i < hash.length; i++) {
        hex[2 * i] = HEX[(hash[i] >> 4) & 0xF];
        hex[2 * i + 1] = HEX[hash[i] & 0xF];
      }
      return Optional.of(new String(hex));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /** OpenAI's 401 for a request without an API key. */
  public static Reply missingKeyReply() {
    return new ResponsesError(401, "invalid_request_error", null, null, "You didn't provide an API key. You need to "
        + "provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
        .toReply();
  }
}
