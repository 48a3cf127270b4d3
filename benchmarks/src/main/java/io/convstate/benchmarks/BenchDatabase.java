package io.convstate.benchmarks;

import io.convstate.StoreConfig;
import io.convstate.postgres.PostgresAdmin;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
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

  /** The postgres store's layouts (option {@code layout}) and their default table names. */
  static final String TURNS = "turns";
  static final String SEED = "conversation_states";

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

  /** The default table of a layout: {@code conversation_turns} or {@code conversation_states}. */
  static String tableOf(String layout) {
    return layout.equals(TURNS) ? "conversation_turns" : "conversation_states";
  }

  /**
   * Options of a store on a fresh table of {@code layout} in a new {@code schema}, created by
   * {@code migrate}; more options as key, value pairs. The connection counts its bytes
   * ({@link CountingSocketFactory}).
   */
  static Map<String, String> freshTable(String schema, String layout, String... more) {
    Map<String, String> options = tableOptions(schema, layout);
    for (int i = 0; i < more.length; i += 2) {
      options.put(more[i], more[i + 1]);
    }
    execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema);
    try (PostgresAdmin admin = PostgresAdmin.connect(StoreConfig.of(options, Map.of()))) {
      admin.migrate();
    }
    return options;
  }

  /**
   * The options of {@link #freshTable}, without touching the database: the server as a JDBC URL
   * with the counting socket factory, user and password apart.
   */
  static Map<String, String> tableOptions(String schema, String layout) {
    URI uri = uri(url());
    String[] userInfo = uri.getUserInfo().split(":", 2);
    Map<String, String> options = new HashMap<>(Map.of("type", "postgres",
        "connection_string", "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath()
            + "?socketFactory=" + CountingSocketFactory.class.getName(),
        "user", userInfo[0], "layout", layout, "table", schema + "." + tableOf(layout),
        "pool.max_size", "8", "pool.min_idle", "8"));
    if (userInfo.length > 1) {
      options.put("password", userInfo[1]);
    }
    return options;
  }

  static void execute(String... statements) {
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** A plain JDBC connection to the benchmark server, not counted. */
  static Connection connect() throws SQLException {
    URI uri = uri(url());
    String[] userInfo = uri.getUserInfo().split(":", 2);
    String jdbc = "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath();
    return DriverManager.getConnection(jdbc, userInfo[0], userInfo.length > 1 ? userInfo[1] : null);
  }

  /** The server's current WAL position, in bytes. */
  static long walPosition() {
    return queryLong("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint");
  }

  /**
   * Sizes of tables after a run, added up: {heap, TOAST, indexes, total}, in bytes.
   */
  static long[] tableSizes(String... tables) {
    long[] sizes = new long[4];
    for (String table : tables) {
      String name = "'" + table.replace("'", "''") + "'::regclass";
      sizes[0] += queryLong("SELECT pg_relation_size(" + name + ")");
      sizes[1] += queryLong("SELECT coalesce(pg_total_relation_size(nullif(reltoastrelid, 0)), 0) FROM pg_class WHERE oid = " + name);
      sizes[2] += queryLong("SELECT pg_indexes_size(" + name + ")");
      sizes[3] += queryLong("SELECT pg_total_relation_size(" + name + ")");
    }
    return sizes;
  }

  static long queryLong(String sql) {
    try (Connection connection = connect(); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private static URI uri(String libpq) {
    return URI.create(libpq.replaceFirst("^postgres(ql)?://", "http://"));
  }
}
