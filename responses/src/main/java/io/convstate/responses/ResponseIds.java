package io.convstate.responses;

import io.convstate.ItemIds;
import java.security.SecureRandom;

/**
 * New random ids as OpenAI's look: {@code resp_} for a response, {@code msg_}, {@code fc_}, ... for
 * an output item that the model returned without one. 192 random bits each, so two ids collide
 * with negligible probability however many are made. Thread-safe.
 */
final class ResponseIds {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private ResponseIds() {}

  static String responseId() {
    return "resp_" + randomHex();
  }

  /** An id for an item of {@code type}, with that type's prefix. */
  static String itemId(String type) {
    return ItemIds.prefixOf(type) + "_" + randomHex();
  }

  private static String randomHex() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    char[] hex = new char[48];
    for (int i = 0; i < bytes.length; i++) {
      hex[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
      hex[2 * i + 1] = HEX[bytes[i] & 0xF];
    }
    return new String(hex);
  }
}
