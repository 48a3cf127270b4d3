package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.ConfigurationException;
import io.convstate.ConvStateException;
import io.convstate.InvalidInputException;
import io.convstate.StorageException;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreConfig;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Driver errors as convstate's exceptions")
class SqlErrorsTest {

  private static final SqlErrors ERRORS = new SqlErrors(
      ConnectionSettings.parse("postgresql://app:s3cretPw@db.example.com/app", null, null), Layout.TURNS, TableName.parse("t"));

  private static Class<?> type(String className) throws ClassNotFoundException {
    return Class.forName("io.convstate." + className);
  }

  @Nested
  @DisplayName("on an open store")
  class RunTime {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        08000 | StorageUnavailableException
        08001 | StorageUnavailableException
        08003 | StorageUnavailableException
        08006 | StorageUnavailableException
        25006 | StorageUnavailableException
        28000 | StorageUnavailableException
        28P01 | StorageUnavailableException
        3D000 | StorageUnavailableException
        40001 | StorageUnavailableException
        40P01 | StorageUnavailableException
        53100 | StorageUnavailableException
        53200 | StorageUnavailableException
        53300 | StorageUnavailableException
        55P03 | StorageUnavailableException
        57014 | StorageUnavailableException
        57P01 | StorageUnavailableException
        57P02 | StorageUnavailableException
        57P03 | StorageUnavailableException
        58030 | StorageUnavailableException
        22003 | InvalidInputException
        22P02 | InvalidInputException
        22P05 | InvalidInputException
        22021 | InvalidInputException
        54000 | InvalidInputException
        3F000 | StorageException
        42P01 | StorageException
        42501 | StorageException
        42703 | StorageException
        42804 | StorageException
        23505 | StorageException
        XX000 | StorageException
        """)
    void mapsEverySqlState(String state, String expected) throws ClassNotFoundException {
      ConvStateException thrown = ERRORS.translate("record", new SQLException("boom", state));
      assertThat(thrown).isExactlyInstanceOf(type(expected));
      assertThat(thrown.getMessage()).doesNotContain("s3cretPw");
    }

    @Test
    @DisplayName("a pool that gives no connection in time is unavailable; a bare driver error without SQLState is a storage error")
    void withoutSqlState() {
      assertThat(ERRORS.translate("turn", new SQLTransientConnectionException("pool timeout")))
          .isExactlyInstanceOf(StorageUnavailableException.class);
      assertThat(ERRORS.translate("turn", new SQLException("odd"))).isExactlyInstanceOf(StorageException.class);
    }

    @Test
    @DisplayName("a read-only server after a failover says to retry; a missing table points at convstate verify")
    void hints() {
      assertThat(ERRORS.translate("record", new SQLException("read-only transaction", "25006")).getMessage()).contains("retry");
      assertThat(ERRORS.translate("record", new SQLException("relation does not exist", "42P01")).getMessage())
          .contains("convstate verify");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        42804 | column "recorded_at" is of type timestamp with time zone but expression is of type integer
        42883 | function jsonb_array_length(json) does not exist
        42846 | cannot cast type timestamp without time zone to bigint
        42703 | column "deleted" does not exist
        """)
    @DisplayName("a column of the wrong type or a missing one at run time points at convstate verify")
    void wrongTypesPointAtVerify(String state, String message) {
      assertThat(ERRORS.translate("record", new SQLException(message, state)))
          .isExactlyInstanceOf(StorageException.class)
          .hasMessageContaining(message)
          .hasMessageContaining("do not match the layout turns")
          .hasMessageContaining("Run convstate verify with the same options");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        42P05 | ERROR: prepared statement "S_1" already exists
        26000 | ERROR: prepared statement "S_1" does not exist
        """)
    @DisplayName("both prepared-statement errors of a transaction pooler say to set pooler=transaction, at run time and on open")
    void transactionPooler(String state, String message) {
      assertThat(ERRORS.translate("history", new SQLException(message, state)))
          .isExactlyInstanceOf(StorageException.class)
          .hasMessageContaining(message)
          .hasMessageContaining("set option pooler=transaction");
      assertThat(ERRORS.translateOpen(new SQLException(message, state)))
          .hasMessageContaining("set option pooler=transaction");
    }

    @Test
    @DisplayName("finds the SQLState of a cause under the pool's wrapper")
    void nestedState() {
      SQLException wrapped = new SQLTransientConnectionException("pool", null, new SQLException("auth", "28P01"));
      assertThat(ERRORS.translate("turn", wrapped)).isExactlyInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("password");
    }
  }

  @Nested
  @DisplayName("while opening")
  class Open {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
        28000 | ConfigurationException
        28P01 | ConfigurationException
        3D000 | ConfigurationException
        08004 | ConfigurationException
        3F000 | ConfigurationException
        42P01 | ConfigurationException
        42501 | ConfigurationException
        08001 | StorageUnavailableException
        08006 | StorageUnavailableException
        57P03 | StorageUnavailableException
        53300 | StorageUnavailableException
        """)
    void configurationIsNotRetryable(String state, String expected) throws ClassNotFoundException {
      ConvStateException thrown = ERRORS.translateOpen(new SQLException("boom", state));
      assertThat(thrown).isExactlyInstanceOf(type(expected));
      if (thrown instanceof ConfigurationException) {
        assertThat(thrown.getMessage()).contains("convstate verify");
      }
    }

    @Test
    @DisplayName("an unknown host and an SSL handshake failure are configuration")
    void hostAndSsl() {
      assertThat(ERRORS.translateOpen(new SQLException("connect failed", "08001", new UnknownHostException("nohost"))))
          .isExactlyInstanceOf(ConfigurationException.class).hasMessageContaining("host name");
      assertThat(ERRORS.translateOpen(new SQLException("handshake", "08006", new javax.net.ssl.SSLHandshakeException("x"))))
          .isExactlyInstanceOf(ConfigurationException.class).hasMessageContaining("sslmode");
    }
  }

  @Nested
  @DisplayName("against the test server")
  class RealServer {

    private PostgresStateStore open(String connectionString) {
      Map<String, String> options = TestDatabase.get().options("public.conversation_turns", "schema.create", "true");
      options.put("connection_string", connectionString);
      return new PostgresStateStore(StoreConfig.of(options), Clock.systemUTC());
    }

    @Test
    @DisplayName("a wrong password fails open at once with a configuration error naming the fix, without the password")
    void wrongPassword() {
      long start = System.nanoTime();
      assertThatThrownBy(() -> open(TestDatabase.get().urlAs("postgres", "wr0ngPassw0rd")))
          .isExactlyInstanceOf(ConfigurationException.class)
          .hasMessageContaining("Check the user and password").hasMessageContaining("convstate verify")
          .hasMessageNotContaining("wr0ngPassw0rd");
      assertThat((System.nanoTime() - start) / 1_000_000).as("ms to fail").isLessThan(5_000);
    }

    @Test
    @DisplayName("a missing database fails open with a configuration error")
    void missingDatabase() {
      assertThatThrownBy(() -> open(TestDatabase.get().url().replaceFirst("/[^/?]*$", "/no_such_database")))
          .isExactlyInstanceOf(ConfigurationException.class).hasMessageContaining("database name");
    }

    @Test
    @DisplayName("sslmode=require against a server without SSL fails open with a configuration error")
    void sslMismatch() {
      String url = TestDatabase.get().url();
      assertThatThrownBy(() -> open(url + (url.contains("?") ? "&" : "?") + "sslmode=require"))
          .isExactlyInstanceOf(ConfigurationException.class).hasMessageContaining("sslmode");
    }

    @Test
    @DisplayName("a refused port is unavailable (retryable), and fails at once")
    void refusedPort() {
      long start = System.nanoTime();
      assertThatThrownBy(() -> open(TestDatabase.get().urlVia("127.0.0.1", 1)))
          .isExactlyInstanceOf(StorageUnavailableException.class);
      assertThat((System.nanoTime() - start) / 1_000_000).as("ms to fail").isLessThan(5_000);
    }
  }

  @Test
  @DisplayName("a numeric overflow is an InvalidInputException naming the turn")
  void numericOverflow() {
    assertThat(ERRORS.translate("record", new SQLException("value overflows numeric format", "22003")))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("turn"));
  }
}
