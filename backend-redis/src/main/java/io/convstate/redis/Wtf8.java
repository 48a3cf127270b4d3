package io.convstate.redis;

import java.nio.charset.StandardCharsets;

/**
 * Text to bytes and back without loss, for every Java string: UTF-8, except that an unpaired
 * surrogate (which UTF-8 cannot encode, and {@link String#getBytes} turns into {@code ?}) is
 * written as the three bytes of its code unit, as WTF-8 does. Redis keeps bytes, so ids, names,
 * items and metadata come back exactly as given, with the same byte length that
 * {@link io.convstate.InputItems#jsonBytes()} counts. Stateless and thread-safe.
 */
final class Wtf8 {

  private Wtf8() {}

  /** The bytes of text; well-formed text takes the JDK's UTF-8 encoder. */
  static byte[] encode(String text) {
    if (!hasUnpairedSurrogate(text)) {
      return text.getBytes(StandardCharsets.UTF_8);
    }
    byte[] out = new byte[text.length() * 3];
    int n = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        out[n++] = (byte) c;
      } else if (c < 0x800) {
        out[n++] = (byte) (0xC0 | (c >> 6));
        out[n++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
        int codePoint = Character.toCodePoint(c, text.charAt(++i));
        out[n++] = (byte) (0xF0 | (codePoint >> 18));
        out[n++] = (byte) (0x80 | ((codePoint >> 12) & 0x3F));
        out[n++] = (byte) (0x80 | ((codePoint >> 6) & 0x3F));
        out[n++] = (byte) (0x80 | (codePoint & 0x3F));
      } else {
        out[n++] = (byte) (0xE0 | (c >> 12));
        out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        out[n++] = (byte) (0x80 | (c & 0x3F));
      }
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /** The text of bytes from {@link #encode}; well-formed UTF-8 takes the JDK's decoder. */
  static String decode(byte[] bytes) {
    return decode(bytes, 0, bytes.length);
  }

  /** As {@link #decode(byte[])}, of {@code length} bytes from {@code offset}. */
  static String decode(byte[] bytes, int offset, int length) {
    if (!hasEncodedSurrogate(bytes, offset, length)) {
      return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
    StringBuilder text = new StringBuilder(length);
    int end = offset + length;
    int i = offset;
    while (i < end) {
      int b = bytes[i] & 0xFF;
      if (b == 0xED && i + 2 < end && (bytes[i + 1] & 0xFF) >= 0xA0) {
        text.append((char) (((b & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F)));
        i += 3;
      } else {
        int sequence = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        int stop = Math.min(end, i + sequence);
        text.append(new String(bytes, i, stop - i, StandardCharsets.UTF_8));
        i = stop;
      }
    }
    return text.toString();
  }

  private static boolean hasUnpairedSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return true;
        }
      }
    }
    return false;
  }

  /** 0xED followed by 0xA0..0xBF starts an encoded surrogate; valid UTF-8 never has it. */
  private static boolean hasEncodedSurrogate(byte[] bytes, int offset, int length) {
    int end = offset + length - 1;
    for (int i = offset; i < end; i++) {
      if (bytes[i] == (byte) 0xED && (bytes[i + 1] & 0xFF) >= 0xA0) {
        return true;
      }
    }
    return false;
  }
}
