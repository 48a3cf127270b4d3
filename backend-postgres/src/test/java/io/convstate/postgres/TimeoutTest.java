package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.convstate.ConfigurationException;
import io.convstate.InputItems;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Timeouts of the postgres store")
class TimeoutTest {

  private static String table;

  @BeforeAll
  static void createTable() {
    table = TestDatabase.get().freshTable("timeouts");
  }

  private static Turn turn(String id) {
    return Turn.builder(id).input(InputItems.parse("[{\"type\":\"message\",\"text\":\"" + id + "\"}]"))
        .owner("o").model("m").provider("p").createdAt(1L).build();
  }

  private static PostgresOptions options(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>(Map.of("connection_string", "postgresql://u:p@h/db"));
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return new PostgresOptions(StoreConfig.of(map));
  }

  @Nested
  @DisplayName("options")
  class Options {

    @Test
    @DisplayName("bound every call by default: a 40 s socket timeout and a 30 s server-side statement timeout")
    void defaults() {
      Properties properties = PostgresStateStore.timeoutProperties(options(), null);
      assertThat(properties).containsEntry("socketTimeout", "40").containsEntry("options", "-c statement_timeout=30000")
          .doesNotContainKey("queryTimeout");
    }

    @Test
    @DisplayName("behind a transaction pooler use pgjdbc's queryTimeout (a cancel request) instead of a startup option PgBouncer refuses")
    void transactionPooler() {
      Properties properties = PostgresStateStore.timeoutProperties(
          options("pooler", "transaction", "statement_timeout", "1500ms", "socket_timeout", "5s"), null);
      assertThat(properties).containsEntry("socketTimeout", "5").containsEntry("queryTimeout", "2").doesNotContainKey("options");
    }

    @Test
    @DisplayName("keep the connection string's own startup options, and its statement_timeout when it sets one")
    void startupOptions() {
      assertThat(PostgresStateStore.timeoutProperties(options(), "-c TimeZone=UTC"))
          .containsEntry("options", "-c TimeZone=UTC -c statement_timeout=30000");
      assertThat(PostgresStateStore.timeoutProperties(options(), "-c statement_timeout=5s")).doesNotContainKey("options");
    }

    @Test
    @DisplayName("take 0 as no limit, a URI's socketTimeout as the default, and refuse what pgjdbc cannot express")
    void values() {
      assertThat(PostgresStateStore.timeoutProperties(options("statement_timeout", "0", "socket_timeout", "0"), null))
          .containsEntry("socketTimeout", "0").doesNotContainKey("options");
      assertThat(options("connection_string", "postgresql://u:p@h/db?socketTimeout=7").socketTimeout).isEqualTo(Duration.ofSeconds(7));
      assertThat(options("connection_string", "postgresql://u:p@h/db?socketTimeout=7", "socket_timeout", "9s").socketTimeout)
          .isEqualTo(Duration.ofSeconds(9));
      assertThatThrownBy(() -> options("socket_timeout", "500ms")).isInstanceOf(ConfigurationException.class).hasMessageContaining("socket_timeout");
      assertThatThrownBy(() -> options("statement_timeout", "2d")).isInstanceOf(ConfigurationException.class).hasMessageContaining("statement_timeout");
      assertThatThrownBy(() -> options("connection_string", "postgresql://u:p@h/db?socketTimeout=x"))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("socketTimeout");
    }
  }

  @Nested
  @DisplayName("statement_timeout")
  class StatementTimeout {

    private void cancelsSlowStatement(String connectionString, String... more) throws SQLException {
      Map<String, String> options = TestDatabase.get().options(table, "statement_timeout", "1s");
      options.put("connection_string", connectionString);
      for (int i = 0; i < more.length; i += 2) {
        options.put(more[i], more[i + 1]);
      }
      try (PostgresStateStore store = new PostgresStateStore(StoreConfig.of(options), Clock.systemUTC());
          Connection connection = store.dataSource().getConnection(); Statement statement = connection.createStatement()) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> statement.execute("SELECT pg_sleep(5)"))
            .isInstanceOf(SQLException.class).extracting(e -> ((SQLException) e).getSQLState()).isEqualTo("57014");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
      }
    }

    @Test
    @DisplayName("cancels a statement running longer, on the server's own connections")
    void direct() throws SQLException {
      cancelsSlowStatement(TestDatabase.get().url());
    }

    @Test
    @DisplayName("cancels a statement running longer through PgBouncer in transaction mode")
    void throughPgBouncer() throws SQLException {
      cancelsSlowStatement(TestDatabase.pgbouncerUrl(), "pooler", "transaction");
    }
  }

  @Nested
  @DisplayName("a network black hole (a proxy that holds every byte and closes nothing)")
  class BlackHole {

    @Test
    @DisplayName("fails every call as unavailable within the socket timeout, then serves again once traffic flows")
    void failsFastAndRecovers() throws Exception {
      TestDatabase database = TestDatabase.get();
      try (BlackHoleProxy proxy = BlackHoleProxy.start(database.host(), database.port())) {
        Map<String, String> options = database.options(table, "socket_timeout", "2s", "statement_timeout", "1s",
            "pool.connection_timeout", "3s", "pool.max_size", "4", "pool.min_idle", "1");
        options.put("connection_string", database.urlVia("127.0.0.1", proxy.port()));
        try (PostgresStateStore store = new PostgresStateStore(StoreConfig.of(options), Clock.systemUTC())) {
          store.record(turn("resp_hole_0"));
          proxy.swallow();
          Map<String, Consumer<PostgresStateStore>> calls = new LinkedHashMap<>();
          calls.put("record", s -> s.record(turn("resp_hole_1")));
          calls.put("history", s -> s.history("o", "resp_hole_0"));
          calls.put("turn", s -> s.turn("o", "resp_hole_0"));
          calls.put("delete", s -> s.delete("o", "resp_hole_0"));
          calls.put("deleteInactiveBefore", s -> s.deleteInactiveBefore(Instant.EPOCH));
          Duration slowest = Duration.ZERO;
          for (Map.Entry<String, Consumer<PostgresStateStore>> call : calls.entrySet()) {
            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> call.getValue().accept(store));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            System.out.printf("black hole: %s failed after %d ms (%s)%n", call.getKey(), took.toMillis(),
                thrown == null ? "no failure" : thrown.getClass().getSimpleName());
            assertThat(thrown).as(call.getKey()).isInstanceOf(StorageUnavailableException.class);
            assertThat(took).as(call.getKey()).isLessThan(Duration.ofSeconds(8));
            slowest = took.compareTo(slowest) > 0 ? took : slowest;
          }
          System.out.printf("black hole: slowest time to failure %d ms (socket_timeout 2s, pool.connection_timeout 3s)%n",
              slowest.toMillis());
          proxy.release();
          long start = System.nanoTime();
          Instant deadline = Instant.now().plusSeconds(30);
          Throwable last = null;
          while (Instant.now().isBefore(deadline)) {
            last = catchThrowable(() -> store.record(turn("resp_hole_2")));
            if (last == null) {
              break;
            }
            assertThat(last).isInstanceOf(StorageUnavailableException.class);
            Thread.sleep(200);
          }
          assertThat(last).as("a call after traffic flows again").isNull();
          System.out.printf("black hole: served again %d ms after traffic flowed%n", Duration.ofNanos(System.nanoTime() - start).toMillis());
          assertThat(store.turn("o", "resp_hole_2")).isPresent();
        }
      }
    }
  }
}
