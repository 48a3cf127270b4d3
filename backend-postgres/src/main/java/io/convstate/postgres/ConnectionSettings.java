package io.convstate.postgres;

import io.convstate.ConfigurationException;
import io.convstate.Secrets;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Where and how to connect, parsed from {@code connection_string}: a libpq URI
 * ({@code postgresql://} or {@code postgres://}) or a {@code jdbc:postgresql:} URL.
 *
 * <p>pgjdbc does not parse libpq URIs, so this class does: user and password are percent-decoded
 * ({@code MyPass%23123} is {@code MyPass#123}, {@code +} stays {@code +}), hosts may be several and
 * IPv6 in brackets, and the libpq parameters below map to pgjdbc's. The credentials are taken out
 * of the URL: {@link #jdbcUrl()} never holds a password and may be logged.
 *
 * <p>Supported libpq parameters: {@code sslmode}, {@code sslrootcert}, {@code sslcert},
 * {@code sslkey}, {@code connect_timeout}, {@code application_name}, {@code target_session_attrs},
 * {@code options}, {@code user}, {@code password}, {@code dbname}, {@code socketTimeout} (or
 * {@code socket_timeout}, seconds).
 */
final class ConnectionSettings {

  private static final Set<String> SSL_MODES = Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
  private static final Map<String, String> TARGET_SESSION_ATTRS = Map.of(
      "any", "any", "read-write", "primary", "primary", "primary", "read-only", "secondary",
      "standby", "secondary", "prefer-standby", "preferSecondary");
  private static final Map<String, String> PARAMETERS = Map.of(
      "sslrootcert", "sslrootcert", "sslcert", "sslcert", "sslkey", "sslkey",
      "application_name", "ApplicationName", "options", "options");

  /** Where a URI's socketTimeout waits until the store's options read it (not a driver property). */
  private static final String SOCKET_TIMEOUT_SECONDS = "convstate.socketTimeout";

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final Properties properties;
  private final String description;
  private final SecretRedactor redactor;

  private ConnectionSettings(String jdbcUrl, String user, String password, Properties properties, String description) {
    this(jdbcUrl, user, password, properties, description, SecretRedactor.NONE);
  }

  private ConnectionSettings(String jdbcUrl, String user, String password, Properties properties, String description,
      SecretRedactor redactor) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.properties = properties;
    this.description = redactor.redact(description);
    this.redactor = redactor;
  }

  /**
   * Parses a connection string.
   *
   * @param user the {@code user} option, overriding the string's; may be null
   * @param password the {@code password} option, overriding the string's; may be null
   * @throws ConfigurationException naming {@code connection_string} and the problem; the message
   *     never contains the password
   */
  static ConnectionSettings parse(String connectionString, String user, String password) {
    String text = connectionString.strip();
    ConnectionSettings parsed;
    if (text.startsWith("jdbc:postgresql:")) {
      parsed = parseJdbc(text);
    } else if (text.startsWith("postgresql://") || text.startsWith("postgres://")) {
      parsed = parseUri(text);
    } else {
      throw invalid(text, "it must start with postgresql://, postgres:// or jdbc:postgresql:");
    }
    String effectiveUser = user != null ? user : parsed.user;
    String effectivePassword = password != null ? password : parsed.password;
    SecretRedactor redactor = SecretRedactor.of(text, password);
    return new ConnectionSettings(parsed.jdbcUrl, effectiveUser, effectivePassword, parsed.properties,
        parsed.description + (effectiveUser == null ? "" : " as user '" + effectiveUser + "'"), redactor);
  }

  /** The pgjdbc URL, without user or password. */
  String jdbcUrl() {
    return jdbcUrl;
  }

  /** The user, or null for the driver's default. */
  String user() {
    return user;
  }

  /** The password, or null. Never log it. */
  String password() {
    return password;
  }

  /** Driver properties besides user and password (a copy). */
  Properties properties() {
    Properties copy = new Properties();
    copy.putAll(properties);
    copy.remove(SOCKET_TIMEOUT_SECONDS);
    return copy;
  }

  /** These settings with one more driver property. */
  ConnectionSettings withProperty(String key, String value) {
    Properties more = new Properties();
    more.putAll(properties);
    more.setProperty(key, value);
    return new ConnectionSettings(jdbcUrl, user, password, more, description, redactor);
  }

  /** The URI's {@code socketTimeout} (libpq has none; pgjdbc's name), when it has one. */
  java.util.Optional<java.time.Duration> socketTimeout() {
    String seconds = properties.getProperty(SOCKET_TIMEOUT_SECONDS);
    return seconds == null ? java.util.Optional.empty() : java.util.Optional.of(java.time.Duration.ofSeconds(Long.parseLong(seconds)));
  }

  /** Hosts, database and user, for messages: {@code db.example.com:5432/postgres as user 'app'}. */
  String description() {
    return description;
  }

  /**
   * The text with this connection's password masked wherever it may appear, whole, percent-encoded
   * or in part (see {@link SecretRedactor}): for driver messages.
   */
  String redact(String text) {
    return redactor.redact(Secrets.maskInText(text));
  }

  @Override
  public String toString() {
    return "ConnectionSettings[" + description + ", url=" + redact(jdbcUrl) + ", password=" + (password == null ? "none" : Secrets.MASK) + "]";
  }

  private static ConnectionSettings parseUri(String uri) {
    String rest = uri.substring(uri.indexOf("://") + 3);
    int query = rest.indexOf('?');
    String head = query < 0 ? rest : rest.substring(0, query);
    // The user info ends at the last '@' before the query, so an unencoded '@' in a password works.
    int at = head.lastIndexOf('@');
    String userInfo = at < 0 ? null : head.substring(0, at);
    String location = head.substring(at + 1);
    int slash = location.indexOf('/');
    String hostSpec = slash < 0 ? location : location.substring(0, slash);
    String database = slash < 0 ? "" : decode(uri, location.substring(slash + 1), "database name");

    String user = null;
    String password = null;
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      user = decode(uri, colon < 0 ? userInfo : userInfo.substring(0, colon), "user");
      password = colon < 0 ? null : decode(uri, userInfo.substring(colon + 1), "password");
    }

    Properties properties = new Properties();
    if (query >= 0) {
      for (String pair : rest.substring(query + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int equals = pair.indexOf('=');
        String key = decode(uri, equals < 0 ? pair : pair.substring(0, equals), "parameter name");
        String value = equals < 0 ? "" : decode(uri, pair.substring(equals + 1), "parameter " + key);
        switch (key) {
          case "user":
            user = value;
            break;
          case "password":
            password = value;
            break;
          case "dbname":
            database = value;
            break;
          default:
            putParameter(uri, properties, key, value);
        }
      }
    }

    List<String> hosts = hosts(uri, hostSpec);
    String hostList = String.join(",", hosts);
    String jdbcUrl = "jdbc:postgresql://" + hostList + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8);
    String description = hostList + "/" + (database.isEmpty() ? "(default database)" : database);
    return new ConnectionSettings(jdbcUrl, emptyToNull(user), password, properties, description);
  }

  private static void putParameter(String uri, Properties properties, String key, String value) {
    switch (key) {
      case "sslmode":
        if (!SSL_MODES.contains(value)) {
          throw invalid(uri, "sslmode '" + value + "' is not one of " + String.join(", ", new java.util.TreeSet<>(SSL_MODES)));
        }
        properties.setProperty("sslmode", value);
        break;
      case "socketTimeout":
      case "socket_timeout":
        try {
          int seconds = Integer.parseInt(value);
          if (seconds < 0) {
            throw new NumberFormatException();
          }
          properties.setProperty(SOCKET_TIMEOUT_SECONDS, String.valueOf(seconds));
        } catch (NumberFormatException e) {
          throw invalid(uri, key + " is not a whole number of seconds");
        }
        break;
      case "connect_timeout":
        try {
          properties.setProperty("connectTimeout", String.valueOf(Math.max(0, Integer.parseInt(value))));
        } catch (NumberFormatException e) {
          throw invalid(uri, "connect_timeout '" + value + "' is not a whole number of seconds");
        }
        break;
      case "target_session_attrs":
        String target = TARGET_SESSION_ATTRS.get(value);
        if (target == null) {
          throw invalid(uri, "target_session_attrs '" + value + "' is not one of " + String.join(", ", new java.util.TreeSet<>(TARGET_SESSION_ATTRS.keySet())));
        }
        properties.setProperty("targetServerType", target);
        break;
      default:
        String property = PARAMETERS.get(key);
        if (property == null) {
          throw invalid(uri, "parameter '" + key + "' is not supported; supported: application_name, connect_timeout,"
              + " dbname, socketTimeout, options, password, sslcert, sslkey, sslmode, sslrootcert, target_session_attrs, user");
        }
        properties.setProperty(property, value);
    }
  }

  /** host[:port] entries as pgjdbc writes them; IPv6 addresses stay in brackets. */
  private static List<String> hosts(String uri, String hostSpec) {
    List<String> hosts = new ArrayList<>();
    for (String entry : hostSpec.isEmpty() ? new String[] {""} : hostSpec.split(",", -1)) {
      String host;
      String port = "5432";
      if (entry.startsWith("[")) {
        int close = entry.indexOf(']');
        if (close < 0) {
          throw invalid(uri, "an IPv6 host lacks its closing ']'");
        }
        host = entry.substring(0, close + 1);
        String after = entry.substring(close + 1);
        if (!after.isEmpty()) {
          if (!after.startsWith(":")) {
            throw invalid(uri, "unexpected text after IPv6 host " + host);
          }
          port = after.substring(1);
        }
      } else {
        int colon = entry.lastIndexOf(':');
        host = decode(uri, colon < 0 ? entry : entry.substring(0, colon), "host");
        if (colon >= 0) {
          port = entry.substring(colon + 1);
        }
      }
      if (host.isEmpty()) {
        host = "localhost";
      }
      if (host.startsWith("/")) {
        throw invalid(uri, "Unix-domain socket hosts (" + host + ") are not supported; use a TCP host");
      }
      try {
        int number = Integer.parseInt(port);
        if (number < 1 || number > 65_535) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw invalid(uri, "port '" + port + "' is not a number from 1 to 65535");
      }
      hosts.add(host + ":" + port);
    }
    return hosts;
  }

  private static ConnectionSettings parseJdbc(String url) {
    int query = url.indexOf('?');
    if (url.lastIndexOf('@', query < 0 ? url.length() : query) >= 0 || !numericPorts(url)) {
      throw invalid(url, "a jdbc:postgresql: URL takes no user:password@ before the host and ports are numbers; give the"
          + " credentials as parameters"
          + " (?user=...&password=..., percent-encoded) or in options user and password");
    }
    Map<String, String> kept = new LinkedHashMap<>();
    String user = null;
    String password = null;
    if (query >= 0) {
      for (String pair : url.substring(query + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int equals = pair.indexOf('=');
        String key = equals < 0 ? pair : pair.substring(0, equals);
        String value;
        try {
          value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
          // URLDecoder's message quotes the characters after the '%': a password's.
          throw invalid(url, "the value of parameter '" + key + "' has a '%' that is not followed by two hex digits;"
              + " write '%25' for '%'" + (key.equals("password") ? ", or give it in option 'password'" : ""));
        }
        if (key.equals("user")) {
          user = value;
        } else if (key.equals("password")) {
          password = value;
        } else {
          kept.put(key, pair);
        }
      }
    }
    String base = query < 0 ? url : url.substring(0, query);
    String jdbcUrl = kept.isEmpty() ? base : base + "?" + String.join("&", kept.values());
    String description = base.substring("jdbc:postgresql:".length()).replaceFirst("^//", "");
    return new ConnectionSettings(jdbcUrl, emptyToNull(user), password, new Properties(), description);
  }

  /** Whether every host of a jdbc: URL has a numeric port or none (else a password may have been split into it). */
  private static boolean numericPorts(String url) {
    String rest = url.substring("jdbc:postgresql:".length());
    if (!rest.startsWith("//")) {
      return true;
    }
    rest = rest.substring(2);
    int end = rest.length();
    for (char stop : new char[] {'/', '?'}) {
      int at = rest.indexOf(stop);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    for (String host : rest.substring(0, end).split(",", -1)) {
      String afterHost = host.startsWith("[") && host.indexOf(']') > 0 ? host.substring(host.indexOf(']') + 1) : host;
      int colon = afterHost.indexOf(':');
      if (colon >= 0 && !afterHost.substring(colon + 1).matches("[0-9]{1,5}")) {
        return false;
      }
    }
    return true;
  }

  /** Percent-decoding as RFC 3986 means it: {@code +} stays {@code +}. */
  private static String decode(String uri, String text, String what) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%') {
        int value = i + 2 < text.length() ? hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)) : -1;
        if (value < 0) {
          throw invalid(uri, "the " + what + " has a '%' that is not followed by two hex digits; write '%25' for '%'"
              + ("password".equals(what) ? ", or give it in option 'password'" : ""));
        }
        bytes.write(value);
        i += 2;
      } else {
        int codePoint = text.codePointAt(i);
        byte[] encoded = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
        i += Character.charCount(codePoint) - 1;
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
    SecretRedactor redactor = SecretRedactor.of(connectionString, null);
    return new ConfigurationException("Option 'connection_string' (" + redactor.redact(Secrets.maskInText(connectionString))
        + ") is invalid: " + redactor.redact(problem));
  }
}
