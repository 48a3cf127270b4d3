package io.convstate.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * One Lua script of the store, read from a resource next to this class ({@code record.lua}, ...),
 * each readable on its own with its keys and arguments described at its top. Run by SHA-1
 * ({@code EVALSHA}); a server that does not know it yet (a new node, a restart, a failover) gets
 * the source once ({@code EVAL}). Immutable.
 */
final class Script {

  static final Script RECORD = load("record");
  static final Script CLAIM = load("claim");
  static final Script UNRECORD = load("unrecord");
  static final Script HISTORY = load("history");
  static final Script DELETE = load("delete");
  static final Script REMOVE_INACTIVE = load("remove_inactive");
  static final Script RELEASE_CLAIM = load("release_claim");
  static final Script REFRESHED = load("refreshed");

  private static final java.util.List<Script> ALL =
      java.util.List.of(RECORD, CLAIM, UNRECORD, HISTORY, DELETE, REMOVE_INACTIVE, RELEASE_CLAIM, REFRESHED);

  private final String name;
  private final byte[] source;
  private final String sha;

  private Script(String name, byte[] source) {
    this.name = name;
    this.source = source;
    this.sha = sha1(source);
  }

  private static Script load(String name) {
    try (InputStream in = Script.class.getResourceAsStream(name + ".lua")) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name + ".lua next to " + Script.class.getName());
      }
      return new Script(name, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every script of the store. */
  static java.util.List<Script> values() {
    return ALL;
  }

  String name() {
    return name;
  }

  byte[] source() {
    return source.clone();
  }

  String sha() {
    return sha;
  }

  @Override
  public String toString() {
    return name + ".lua";
  }

  private static String sha1(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(bytes);
      StringBuilder hex = new StringBuilder(40);
      for (byte b : digest) {
        hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }
}
