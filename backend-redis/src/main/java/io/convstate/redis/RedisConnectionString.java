package io.convstate.redis;

import io.convstate.ConfigurationException;
import io.convstate.Secrets;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where and how to connect, parsed from {@code connection_string}:
 * {@code redis://[user:password@]host[:port][,host[:port]...][/db]}, or {@code rediss://} for
 * TLS. Several hosts are the seed nodes of a Redis Cluster (any one that answers is enough); an
 * IPv6 host is written in brackets; the port defaults to 6379 and the database to 0 (a cluster
 * has database 0 only).
 *
 * <p>User and password are percent-decoded ({@code p%40ss} is {@code p@ss}, {@code +} stays
 * {@code +}). A password alone is written {@code redis://:password@host}; user info without a
 * colon is refused, because clients disagree on whether it is a user or a password. The
 * {@code user} and {@code password} options override the string's. The password never appears
 * in {@link #description()}, {@link #toString()} or a message. Immutable.
 */
final class RedisConnectionString {

  /** One seed or server: host (IPv6 without brackets) and port. */
  static final class Endpoint {
    final String host;
    final int port;

    Endpoint(String host, int port) {
      this.host = host;
      this.port = port;
    }

    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  static final int DEFAULT_PORT = 6379;

  private final boolean tls;
  private final List<Endpoint> endpoints;
  private final String user;
  private final String password;
  private final int database;

  private RedisConnectionString(boolean tls, List<Endpoint> endpoints, String user, String password, int database) {
    this.tls = tls;
    this.endpoints = List.copyOf(endpoints);
    this.user = user;
    this.password = password;
    this.database = database;
  }

  /**
   * Parses a connection string.
   *
   * @param user the {@code user} option, overriding the string's; may be null
   * @param password the {@code password} option, overriding the string's; may be null
   * @throws ConfigurationException naming {@code connection_string} and the problem, never with
   *     the password in it
   */
  static RedisConnectionString parse(String connectionString, String user, String password) {
    String text = connectionString.strip();
    boolean tls;
    if (text.startsWith("redis://")) {
      tls = false;
    } else if (text.startsWith("rediss://")) {
      tls = true;
    } else {
      throw invalid(text, "it must start with redis:// (or rediss:// for TLS)");
    }
    String rest = text.substring(text.indexOf("://") + 3);
    if (rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
      throw invalid(text, "query parameters are not read; use the store's options (tls.verify, tls.ca_file,"
          + " command_timeout, ...)");
    }
    // The user info ends at the last '@', so an unencoded '@' in a password still works.
    int at = rest.lastIndexOf('@');
    String userInfo = at < 0 ? null : rest.substring(0, at);
    String location = rest.substring(at + 1);
    int slash = location.indexOf('/');
    String hostSpec = slash < 0 ? location : location.substring(0, slash);
    String path = slash < 0 ? "" : location.substring(slash + 1);

    String parsedUser = null;
    String parsedPassword = null;
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        throw invalid(text, "the user info has no ':'; write redis://user:password@host, or redis://:password@host"
            + " for a password alone");
      }
      parsedUser = decode(text, userInfo.substring(0, colon), "user");
      parsedPassword = decode(text, userInfo.substring(colon + 1), "password");
    }
    int database = 0;
    if (!path.isEmpty()) {
      try {
        database = Integer.parseInt(path);
        if (database < 0) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw invalid(text, "the path '/" + path + "' is not a database number such as /0");
      }
    }
    String effectiveUser = user != null ? user : emptyToNull(parsedUser);
    String effectivePassword = password != null ? password : emptyToNull(parsedPassword);
    return new RedisConnectionString(tls, endpoints(text, hostSpec), effectiveUser, effectivePassword, database);
  }

  boolean tls() {
    return tls;
  }

  List<Endpoint> endpoints() {
    return endpoints;
  }

  /** The ACL user, or null for the default user. */
  String user() {
    return user;
  }

  /** The password, or null. Never log it. */
  String password() {
    return password;
  }

  int database() {
    return database;
  }

  /** Scheme, hosts, database and user, for messages: {@code redis://h1:6379,h2:6379/0 as user 'app'}. */
  String description() {
    StringBuilder text = new StringBuilder(tls ? "rediss://" : "redis://");
    for (int i = 0; i < endpoints.size(); i++) {
      text.append(i == 0 ? "" : ",").append(endpoints.get(i));
    }
    text.append('/').append(database);
    if (user != null) {
      text.append(" as user '").append(user).append('\'');
    }
    return text.toString();
  }

  @Override
  public String toString() {
    return "RedisConnectionString[" + description() + ", password=" + (password == null ? "none" : Secrets.MASK) + "]";
  }

  private static List<Endpoint> endpoints(String text, String hostSpec) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (String entry : hostSpec.split(",", -1)) {
      String host;
      String port = null;
      if (entry.startsWith("[")) {
        int close = entry.indexOf(']');
        if (close < 0) {
          throw invalid(text, "an IPv6 host lacks its closing ']'");
        }
        host = entry.substring(1, close);
        String after = entry.substring(close + 1);
        if (!after.isEmpty()) {
          if (!after.startsWith(":")) {
            throw invalid(text, "unexpected text after IPv6 host [" + host + "]");
          }
          port = after.substring(1);
        }
      } else {
        int colon = entry.lastIndexOf(':');
        host = colon < 0 ? entry : entry.substring(0, colon);
        port = colon < 0 ? null : entry.substring(colon + 1);
      }
      if (host.isBlank()) {
        throw invalid(text, hostSpec.isEmpty() ? "it names no host" : "a host is empty (two commas, or a comma at an end)");
      }
      int number = DEFAULT_PORT;
      if (port != null) {
        try {
          number = Integer.parseInt(port);
          if (number < 1 || number > 65_535) {
            throw new NumberFormatException();
          }
        } catch (NumberFormatException e) {
          throw invalid(text, "port '" + port + "' is not a number from 1 to 65535");
        }
      }
      endpoints.add(new Endpoint(host, number));
    }
    return endpoints;
  }

  /** Percent-decoding as RFC 3986 means it: {@code +} stays {@code +}. */
  private static String decode(String text, String part, String what) {
    if (part.indexOf('%') < 0) {
      return part;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(part.length());
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == '%') {
        int value = i + 2 < part.length()
            ? hex(part.charAt(i + 1)) * 16 + hex(part.charAt(i + 2)) : -1;
        if (value < 0) {
          throw invalid(text, "the " + what + " has a '%' that is not followed by two hex digits; write '%25' for '%'"
              + ("password".equals(what) ? ", or give it in option 'password'" : ""));
        }
        bytes.write(value);
        i += 2;
      } else {
        byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < part.length()) {
          encoded = part.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        bytes.write(encoded, 0, encoded.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static int hex(char c) {
    int digit = Character.digit(c, 16);
    return digit < 0 ? -1000 : digit;
  }

  private static String emptyToNull(String text) {
    return text == null || text.isEmpty() ? null : text;
  }

  private static ConfigurationException invalid(String connectionString, String problem) {
    return new ConfigurationException("Option 'connection_string' (" + masked(connectionString) + ") is invalid: " + problem);
  }

  /**
   * The string with its user info's password masked, and the whole user info when it has no
   * colon (it may be a password).
   */
  static String masked(String connectionString) {
    int scheme = connectionString.indexOf("://");
    int at = connectionString.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return Secrets.maskInText(connectionString);
    }
    String userInfo = connectionString.substring(scheme + 3, at);
    int colon = userInfo.indexOf(':');
    String kept = colon < 0 ? "" : userInfo.substring(0, colon + 1);
    return connectionString.substring(0, scheme + 3) + kept + Secrets.MASK + connectionString.substring(at);
  }
}
