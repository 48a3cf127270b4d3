package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.convstate.ConfigurationException;
import io.convstate.InputItems;
import io.convstate.StoreClosedException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A postgres store on the host's DataSource")
class HostDataSourceTest {

  private static String table;
  private static HikariDataSource hostPool;

  @BeforeAll
  static void start() {
    table = TestDatabase.get().freshTable("host_data_source");
    ConnectionSettings settings = ConnectionSettings.parse(TestDatabase.get().url(), null, null);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setMaximumPoolSize(2);
    config.setPoolName("host-pool");
    hostPool = new HikariDataSource(config);
  }

  @AfterAll
  static void stop() {
    hostPool.close();
  }

  private static Turn turn(String id) {
    return Turn.builder(id).input(InputItems.parse("[{\"type\":\"message\",\"text\":\"hi\"}]"))
        .owner("o").model("m").provider("p").createdAt(1L).build();
  }

  @Test
  @DisplayName("records and reads through it, and close leaves it open for the host")
  void usesAndLeavesOpen() throws SQLException {
    PostgresStateStore store = PostgresStateStore.withDataSource(hostPool, StoreConfig.of(Map.of("table", table)), Clock.systemUTC());
    store.record(turn("resp_host_1"));
    assertThat(store.history("o", "resp_host_1")).isPresent();
    assertThat(store.dataSource()).isSameAs(hostPool);
    assertThat(store.toString()).contains("host DataSource");
    store.close();
    assertThat(hostPool.isClosed()).isFalse();
    try (Connection connection = hostPool.getConnection()) {
      assertThat(connection.isValid(1)).isTrue();
    }
    assertThatThrownBy(() -> store.turn("o", "resp_host_1")).isInstanceOf(StoreClosedException.class);
  }

  @Test
  @DisplayName("checks the table on open like any store")
  void checksTable() {
    assertThatThrownBy(() -> PostgresStateStore.withDataSource(hostPool,
        StoreConfig.of(Map.of("table", "host_data_source.missing_table")), Clock.systemUTC()))
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("does not exist");
  }

  @Test
  @DisplayName("refuses the options that belong to the DataSource, naming them")
  void refusesPoolOptions() {
    for (String key : new String[] {"connection_string", "pool.max_size", "socket_timeout", "statement_timeout", "password"}) {
      assertThatThrownBy(() -> PostgresStateStore.withDataSource(hostPool,
          StoreConfig.of(Map.of("table", table, key, "1")), Clock.systemUTC()))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("'" + key + "'");
    }
  }

  @Test
  @DisplayName("a call that meets close() midway fails as StoreClosedException, not as a storage error")
  void closeRacingCall() throws Exception {
    CountDownLatch waiting = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Gate gate = new Gate(hostPool, waiting, closed);
    PostgresStateStore store = PostgresStateStore.withDataSource(gate, StoreConfig.of(Map.of("table", table)), Clock.systemUTC());
    gate.armed = true;
    CompletableFuture<Throwable> call = CompletableFuture.supplyAsync(() -> {
      try {
        store.turn("o", "resp_host_1");
        return null;
      } catch (RuntimeException e) {
        return e;
      }
    });
    assertThat(waiting.await(10, TimeUnit.SECONDS)).isTrue();
    store.close();
    closed.countDown();
    assertThat(call.get(10, TimeUnit.SECONDS)).isInstanceOf(StoreClosedException.class);
  }

  /** A DataSource whose getConnection, once armed, waits for the store's close and then fails as a closed pool does. */
  private static final class Gate implements DataSource {
    private final DataSource target;
    private final CountDownLatch waiting;
    private final CountDownLatch closed;
    volatile boolean armed;

    Gate(DataSource target, CountDownLatch waiting, CountDownLatch closed) {
      this.target = target;
      this.waiting = waiting;
      this.closed = closed;
    }

    @Override
    public Connection getConnection() throws SQLException {
      if (!armed) {
        return target.getConnection();
      }
      waiting.countDown();
      try {
        closed.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new SQLException("pool has been closed");
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
      throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return false;
    }
  }
}
