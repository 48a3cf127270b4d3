package io.convstate.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.convstate.memory.MemoryStateStore;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("ConvstateMetrics")
class ConvstateMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** A DataSource that never connects: the pool below starts empty and never asks it. */
  private static final class Unreachable implements DataSource {
    @Override
    public Connection getConnection() throws SQLException {
      throw new SQLException("unreachable");
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      throw new SQLException("unreachable");
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getGlobal();
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

  private static HikariDataSource runningPool(String name) {
    HikariConfig config = new HikariConfig();
    config.setDataSource(new Unreachable());
    config.setPoolName(name);
    config.setMinimumIdle(0);
    config.setInitializationFailTimeout(-1);
    return new HikariDataSource(config);
  }

  @Nested
  @DisplayName("bindPool")
  class Pool {

    @Test
    @DisplayName("publishes a running HikariCP pool's metrics, tagged with the pool's name")
    void runningPool() {
      try (HikariDataSource pool = ConvstateMetricsTest.runningPool("convstate-metrics-test")) {
        assertThat(pool.isRunning()).isTrue();

        assertThat(ConvstateMetrics.bindPool(pool, registry)).isTrue();

        assertThat(registry.find("hikaricp.connections").tag("pool", "convstate-metrics-test").gauge()).isNotNull();
        assertThat(registry.find("hikaricp.connections.max").tag("pool", "convstate-metrics-test").gauge().value()).isEqualTo(10);
      }
    }

    @Test
    @DisplayName("binding the same registry again is a no-op; another registry leaves the pool alone")
    void once() {
      try (HikariDataSource pool = ConvstateMetricsTest.runningPool("convstate-metrics-twice")) {
        ConvstateMetrics.bindPool(pool, registry);

        assertThat(ConvstateMetrics.bindPool(pool, registry)).isTrue();
        assertThat(ConvstateMetrics.bindPool(pool, new SimpleMeterRegistry())).isFalse();
      }
    }

    @Test
    @DisplayName("a DataSource that is not a HikariCP pool is not bound")
    void notHikari() {
      assertThat(ConvstateMetrics.bindPool(new Unreachable(), registry)).isFalse();
      assertThat(registry.getMeters()).isEmpty();
    }
  }

  @Nested
  @DisplayName("bindCache")
  class CacheMetrics {

    @Test
    @DisplayName("publishes a Caffeine cache's size, hits and misses tagged cache=convstate")
    void caffeine() {
      Cache<String, String> cache = Caffeine.newBuilder().recordStats().build();
      cache.put("resp_1", "turn");
      cache.getIfPresent("resp_1");
      cache.getIfPresent("resp_2");

      ConvstateMetrics.bindCache(cache, registry, Tag.of("app", "chat"));

      assertThat(registry.find("cache.size").tag("cache", "convstate").tag("app", "chat").gauge().value()).isEqualTo(1);
      assertThat(registry.find("cache.gets").tag("cache", "convstate").tag("result", "hit").functionCounter().count()).isEqualTo(1);
      assertThat(registry.find("cache.gets").tag("cache", "convstate").tag("result", "miss").functionCounter().count()).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("bindTo wraps a store in a MeteredStateStore on the registry")
  void bindTo() {
    MeteredStateStore store = ConvstateMetrics.bindTo(new MemoryStateStore(), registry);
    store.ping();

    assertThat(registry.find(MeteredStateStore.TIMER).tag("operation", "ping").tag("backend", "memory").timer().count()).isEqualTo(1);
    store.close();
  }
}
