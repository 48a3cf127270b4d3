package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.ConfigurationException;
import io.convstate.StoreConfig;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Connection strings")
class ConnectionSettingsTest {

  @Nested
  @DisplayName("libpq URIs")
  class Uris {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        postgresql://app:MyPass%23123@db.example.com:5432/postgres                 | jdbc:postgresql://db.example.com:5432/postgres | app | MyPass#123
        postgres://app:P%40ss%23123@db.example.com/postgres                         | jdbc:postgresql://db.example.com:5432/postgres | app | P@ss#123
        postgresql://postgres.abcdefgh:pa+ss@aws-0-eu-west-1.pooler.supabase.com:6543/postgres | jdbc:postgresql://aws-0-eu-west-1.pooler.supabase.com:6543/postgres | postgres.abcdefgh | pa+ss
        postgresql://u%3Aser:p%3Aw%25d%2F%3F@[::1]:6432/my%20db                     | jdbc:postgresql://[::1]:6432/my+db             | u:ser | p:w%d/?
        postgresql://app:raw@pass#1@h1:5432,h2:5433,[2001:db8::1]/db                | jdbc:postgresql://h1:5432,h2:5433,[2001:db8::1]:5432/db | app | raw@pass#1
        postgresql://localhost                                                      | jdbc:postgresql://localhost:5432/              |     |
        postgresql:///db?user=u&password=p%26q                                      | jdbc:postgresql://localhost:5432/db            | u   | p&q
        postgresql://app@h/db                                                       | jdbc:postgresql://h:5432/db                    | app |
        postgresql://h/db?dbname=other                                              | jdbc:postgresql://h:5432/other                 |     |
        """)
    void parses(String uri, String jdbcUrl, String user, String password) {
      ConnectionSettings settings = ConnectionSettings.parse(uri, null, null);
      assertThat(settings.jdbcUrl()).isEqualTo(jdbcUrl);
      assertThat(settings.user()).isEqualTo(user);
      assertThat(settings.password()).isEqualTo(password);
    }

    @Test
    @DisplayName("libpq parameters map to pgjdbc properties")
    void parameters() {
      ConnectionSettings settings = ConnectionSettings.parse(
          "postgresql://h/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&connect_timeout=7"
              + "&application_name=gateway&target_session_attrs=read-write&options=-c%20TimeZone%3DUTC", null, null);
      assertThat(settings.properties())
          .containsEntry("sslmode", "verify-full")
          .containsEntry("sslrootcert", "/etc/ca.pem")
          .containsEntry("connectTimeout", "7")
          .containsEntry("ApplicationName", "gateway")
          .containsEntry("targetServerType", "primary")
          .containsEntry("options", "-c TimeZone=UTC");
    }

    @Test
    @DisplayName("user and password options override the string's")
    void overrides() {
      ConnectionSettings settings = ConnectionSettings.parse("postgresql://a:b@h/db", "c", "d");
      assertThat(settings.user()).isEqualTo("c");
      assertThat(settings.password()).isEqualTo("d");
      assertThat(settings.description()).isEqualTo("h:5432/db as user 'c'");
    }

    @Test
    @DisplayName("$VAR substitution reaches the password, which never shows in the URL or description")
    void substitution() {
      StoreConfig config = StoreConfig.of(
          Map.of("connection_string", "postgresql://app:$DB_PASSWORD@host:5432/postgres"), Map.of("DB_PASSWORD", "s3cr#t@x"));
      ConnectionSettings settings = ConnectionSettings.parse(config.require("connection_string"), null, null);
      assertThat(settings.password()).isEqualTo("s3cr#t@x");
      assertThat(settings.jdbcUrl()).doesNotContain("s3cr");
      assertThat(settings.description()).doesNotContain("s3cr");
      assertThat(settings.toString()).doesNotContain("s3cr");
    }
  }

  @Nested
  @DisplayName("JDBC URLs")
  class JdbcUrls {

    @Test
    @DisplayName("credentials move out of the URL, other parameters stay")
    void credentialsOut() {
      ConnectionSettings settings = ConnectionSettings.parse(
          "jdbc:postgresql://h:5433/db?user=app&password=p%40ss&sslmode=require", null, null);
      assertThat(settings.jdbcUrl()).isEqualTo("jdbc:postgresql://h:5433/db?sslmode=require");
      assertThat(settings.user()).isEqualTo("app");
      assertThat(settings.password()).isEqualTo("p@ss");
    }
  }

  @Nested
  @DisplayName("invalid strings")
  class Invalid {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        mysql://app:hunter2@h/db                         | must start with postgresql://
        postgresql://app:hunter2@h:99999/db              | port '99999'
        postgresql://app:hunter2@h:abc/db                | port 'abc'
        postgresql://app:hunter2@[::1/db                 | closing ']'
        postgresql://app:hunter2@h/db?sslmode=sometimes  | sslmode 'sometimes'
        postgresql://app:hunter2@h/db?foo=bar            | parameter 'foo' is not supported
        postgresql://app:hunt%zzer2@h/db                 | or give it in option 'password'
        postgresql://app:hunter2@%2Ftmp/db               | Unix-domain socket
        """)
    void refused(String uri, String reason) {
      assertThatThrownBy(() -> ConnectionSettings.parse(uri, null, null))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("connection_string")
          .hasMessageContaining(reason)
          .message().doesNotContain("hunter2").doesNotContain("hunt%zzer2");
    }
  }
}
