package io.convstate.benchmarks;

import io.convstate.StoreConfig;
import io.convstate.postgres.PostgresAdmin;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The PostgreSQL server the benchmarks use: system property {@code convstate.bench.url}, else
 * {@code BENCH_DATABASE_URL}, else {@code TEST_DATABASE_URL} (a superuser libpq URI; scripts/bench
 * starts a throwaway cluster and sets it).
 */
final class BenchDatabase {

  private BenchDatabase() {}

  static String url() {
    String url = System.getProperty("convstate.bench.url", System.getenv("BENCH_DATABASE_URL"));
    if (url == null || url.isBlank()) {
      url = System.getenv("TEST_DATABASE_URL");
    }
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("No PostgreSQL for the benchmarks: run scripts/bench, or set BENCH_DATABASE_URL");
    }
    return url;
  }

  /** Options of a store on a fresh table {@code schema.conversation_states}; more as key, value pairs. */
  static Map<String, String> freshTable(String schema, String... more) {
    Map<String, String> options = freshTableOptions(schema);
    for (int i = 0; i < more.length; i += 2) {
      options.put(more[i], more[i + 1]);
    }
    execute(options, "DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema);
    try (PostgresAdmin admin = PostgresAdmin.connect(StoreConfig.of(options, Map.of()))) {
      admin.migrate();
    }
    return options;
  }

  /** The options of {@link #freshTable}, without touching the database. */
  static Map<String, String> freshTableOptions(String schema) {
    return new HashMap<>(Map.of("type", "postgres", "connection_string", url(),
        "table", schema + ".conversation_states", "pool.max_size", "8", "pool.min_idle", "8"));
  }

  static void execute(Map<String, String> options, String... statements) {
    try (Connection connection = connect(options); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** A plain JDBC connection to the benchmark server (the URL is a libpq URI: user and password are split out). */
  static Connection connect(Map<String, String> options) throws SQLException {
    java.net.URI uri = java.net.URI.create(options.get("connection_string").replaceFirst("^postgres(ql)?://", "http://"));
    String[] userInfo = uri.getUserInfo().split(":", 2);
    String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
    return DriverManager.getConnection(jdbc, userInfo[0], userInfo.length > 1 ? userInfo[1] : null);
  }
}
