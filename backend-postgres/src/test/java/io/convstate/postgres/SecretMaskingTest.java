package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.StoreConfig;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("Passwords in connection strings")
class SecretMaskingTest {

  private static final List<String> PASSWORDS = List.of(
      "p@ss:w0rd#1", "s3cr?et&x=1", "ab%zzcdef", "100%pure!q", "Pa$$w:rd@@", "tail?sslmode=bad", "sl/ash#frag?q=1@x");
  private static final List<String> USERS = List.of("app", "admin@tenant");

  static Stream<Arguments> connectionStrings() {
    List<Arguments> cases = new ArrayList<>();
    for (String password : PASSWORDS) {
      String encoded = URLEncoder.encode(password, StandardCharsets.UTF_8);
      for (String user : USERS) {
        String encodedUser = URLEncoder.encode(user, StandardCharsets.UTF_8);
        for (String form : List.of(
            "postgresql://%U:%P@db.example.com:5432/app",
            "postgresql://%U:%E@db.example.com/app",
            "postgres://%U:%P@db.example.com/app?sslmode=require",
            "postgresql://%U:%P@db.example.com:54x2/app",
            "postgresql://%U:%P@db.example.com/app?bogus=1",
            "postgresql://%U:%P@db.example.com/app?sslmode=%P",
            "postgresql://db.example.com/app?user=%EU&password=%P",
            "postgresql://db.example.com/app?user=%EU&password=%E",
            "jdbc:postgresql://db.example.com/app?user=%EU&password=%P",
            "jdbc:postgresql://db.example.com/app?user=%EU&password=%E",
            "jdbc:postgresql://%U:%P@db.example.com/app",
            "%U:%P@db.example.com/app")) {
          cases.add(Arguments.of(form.replace("%EU", encodedUser).replace("%U", user).replace("%P", password)
              .replace("%E", encoded), password));
        }
      }
    }
    return cases.stream();
  }

  /** The password as written, percent-encoded both ways, and every part of 4 characters or more. */
  private static Set<String> forms(String password) {
    Set<String> forms = new LinkedHashSet<>();
    for (String whole : List.of(password, URLEncoder.encode(password, StandardCharsets.UTF_8),
        URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20"))) {
      for (int length = 4; length <= whole.length(); length++) {
        for (int start = 0; start + length <= whole.length(); start++) {
          forms.add(whole.substring(start, start + length));
        }
      }
    }
    return forms;
  }

  private static void assertClean(String what, String text, String password) {
    if (text == null) {
      return;
    }
    for (String form : forms(password)) {
      assertThat(text).as("%s must not hold '%s' of the password", what, form).doesNotContain(form);
    }
  }

  private static void assertCleanThrowable(String what, Throwable thrown, String password) {
    for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
      assertClean(what + " message", t.getMessage(), password);
      assertClean(what + " toString", t.toString(), password);
      for (Throwable suppressed : t.getSuppressed()) {
        assertCleanThrowable(what + " suppressed", suppressed, password);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("connectionStrings")
  @DisplayName("never appear, whole, encoded or in part, in a message, toString or exception")
  void neverLeak(String connectionString, String password) {
    ConnectionSettings settings;
    try {
      settings = ConnectionSettings.parse(connectionString, null, null);
    } catch (RuntimeException e) {
      assertCleanThrowable("parse error", e, password);
      return;
    }
    assertClean("toString", settings.toString(), password);
    assertClean("description", settings.description(), password);
    assertClean("jdbcUrl", settings.jdbcUrl(), password);
    PostgresOptions options;
    try {
      options = new PostgresOptions(StoreConfig.of(Map.of("connection_string", connectionString)));
    } catch (RuntimeException e) {
      assertCleanThrowable("options error", e, password);
      return;
    }
    SqlErrors errors = new SqlErrors(options.connection, options.layout, options.table);
    // A driver message may quote the host, and so whatever the string was split into.
    SQLException driver = new SQLException("could not connect to " + connectionString + " / " + settings.jdbcUrl(), "08001",
        new java.net.UnknownHostException(connectionString));
    assertCleanThrowable("run-time error", errors.translate("record", driver), password);
    assertCleanThrowable("open error", errors.translateOpen(driver), password);
    assertCleanThrowable("auth error", errors.translateOpen(new SQLException("password authentication failed for user", "28P01")), password);
  }
}
