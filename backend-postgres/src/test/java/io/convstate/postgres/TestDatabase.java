package io.convstate.postgres;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The PostgreSQL server the tests use: {@code TEST_DATABASE_URL} (a superuser libpq URI; scripts/test
 * starts a throwaway cluster and sets it), else a Testcontainers container where Docker runs. With
 * neither, every test that needs it fails: none is skipped.
 *
 * <p>{@code TEST_PGBOUNCER_URL} names a PgBouncer in transaction mode in front of the same server,
 * and {@code TEST_DATABASE_CONTROL} a command that takes {@code stop} or {@code start}; the tests
 * that need them fail without them.
 */
public final class TestDatabase {

  private static TestDatabase instance;

  private final String url;
  private final ConnectionSettings admin;

  private TestDatabase(String url) {
    this.url = url;
    this.admin = ConnectionSettings.parse(url, null, null);
  }

  public static synchronized TestDatabase get() {
    if (instance == null) {
      String url = System.getenv("TEST_DATABASE_URL");
      if (url == null || url.isBlank()) {
        url = startContainer();
      }
      instance = new TestDatabase(url);
    }
    return instance;
  }

  private static String startContainer() {
    boolean docker;
    try {
      docker = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      docker = false;
    }
    if (!docker) {
      throw new AssertionError("No PostgreSQL for the tests: set TEST_DATABASE_URL to a superuser URI"
          + " (postgresql://user:password@host:port/db), run scripts/test which starts a throwaway cluster,"
          + " or run where Docker is available for Testcontainers.");
    }
    @SuppressWarnings("resource")
    PostgreSQLContainer<?> container = new PostgreSQLContainer<>("postgres:15-alpine");
    container.start();
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
    return "postgresql://" + container.getUsername() + ":" + container.getPassword() + "@" + container.getHost() + ":"
        + container.getFirstMappedPort() + "/" + container.getDatabaseName();
  }

  /** The superuser URI. */
  public String url() {
    return url;
  }

  /** The server's host, as the URI names it. */
  public String host() {
    return java.net.URI.create(url.replaceFirst("^postgres(ql)?://", "http://")).getHost();
  }

  /** The server's port, as the URI names it. */
  public int port() {
    return java.net.URI.create(url.replaceFirst("^postgres(ql)?://", "http://")).getPort();
  }

  /** The superuser URI with another host and port (a proxy in front of the server). */
  public String urlVia(String host, int port) {
    return url.replaceFirst("@[^/]*/", "@" + host + ":" + port + "/");
  }

  /** The same server as another user: {@code postgresql://user:encodedPassword@host:port/db}. */
  public String urlAs(String user, String encodedPassword) {
    return url.replaceFirst("://[^@]*@", "://" + user + ":" + encodedPassword + "@");
  }

  /** A new superuser connection; the caller closes it. */
  public Connection admin() throws SQLException {
    return DriverManager.getConnection(admin.jdbcUrl(), admin.user(), admin.password());
  }

  /** Runs SQL as the superuser. */
  public void execute(String... statements) {
    try (Connection connection = admin(); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        remember(sql);
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("test setup SQL failed: " + e.getMessage(), e);
    }
  }

  private static final java.util.regex.Pattern CREATED =
      java.util.regex.Pattern.compile("(?i)^\\s*CREATE\\s+(SCHEMA|ROLE|DATABASE)\\s+(?:IF NOT EXISTS\\s+)?([A-Za-z_][A-Za-z0-9_]*)");
  private final java.util.Set<String> schemas = new java.util.concurrent.ConcurrentSkipListSet<>();
  private final java.util.Set<String> roles = new java.util.concurrent.ConcurrentSkipListSet<>();
  private final java.util.Set<String> databases = new java.util.concurrent.ConcurrentSkipListSet<>();
  private final java.util.concurrent.atomic.AtomicBoolean cleanupHooked = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Notes a schema, role or database the tests create, so that they are dropped when the JVM
   * exits: a server the tests did not start (TEST_DATABASE_URL) is left as it was found.
   */
  private void remember(String sql) {
    java.util.regex.Matcher created = CREATED.matcher(sql);
    if (!created.find()) {
      return;
    }
    String kind = created.group(1).toUpperCase(java.util.Locale.ROOT);
    (kind.equals("SCHEMA") ? schemas : kind.equals("ROLE") ? roles : databases).add(created.group(2));
    if (cleanupHooked.compareAndSet(false, true)) {
      Runtime.getRuntime().addShutdownHook(new Thread(this::dropCreated, "convstate-test-cleanup"));
    }
  }

  private void dropCreated() {
    List<String> statements = new java.util.ArrayList<>();
    schemas.forEach(schema -> statements.add("DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
    roles.forEach(role -> {
      statements.add("DROP OWNED BY " + role + " CASCADE");
      statements.add("DROP ROLE IF EXISTS " + role);
    });
    databases.forEach(database -> statements.add("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)"));
    try (Connection connection = admin(); Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        try {
          statement.execute(sql);
        } catch (SQLException e) {
          System.err.println("convstate tests: '" + sql + "' failed: " + e.getMessage());
        }
      }
    } catch (SQLException e) {
      System.err.println("convstate tests: could not drop what they created on the test server: " + e.getMessage());
    }
  }

  /** The one number a query returns (a count), run as the superuser. */
  public long count(String sql) {
    try (Connection connection = admin(); Statement statement = connection.createStatement();
        java.sql.ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("test query failed: " + e.getMessage(), e);
    }
  }

  /**
   * Drops and recreates a schema with a turn-layout table in it (the default layout); returns
   * {@code schema.conversation_turns}.
   */
  public String freshTable(String schema) {
    return freshTable(schema, Layout.TURNS);
  }

  /**
   * Drops and recreates a schema with a table of the layout's default name in it; returns
   * {@code schema.<table>}. Open a store on it with option {@code layout} set to the layout's value.
   */
  public String freshTable(String schema, Layout layout) {
    String table = schema + "." + layout.defaultTable();
    execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE", "CREATE SCHEMA " + schema, Schema.createScript(layout, table));
    return table;
  }

  /** Empties a table of the layout (for turns, with its conversations table). */
  public void truncate(String table, Layout layout) {
    execute("TRUNCATE " + table + (layout == Layout.TURNS ? ", " + table + "_conversations" : ""));
  }

  /** Store options on this server and table; more options as key, value pairs. */
  public Map<String, String> options(String table, String... more) {
    Map<String, String> options = new HashMap<>(Map.of(
        "type", "postgres", "connection_string", url, "table", table, "pool.max_size", "10", "pool.min_idle", "1"));
    for (int i = 0; i < more.length; i += 2) {
      options.put(more[i], more[i + 1]);
    }
    return options;
  }

  /** The PgBouncer (transaction mode) URI. */
  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }

  public static String pgbouncerUrl() {
    String url = System.getenv("TEST_PGBOUNCER_URL");
    if (url == null || url.isBlank()) {
      fail("TEST_PGBOUNCER_URL is not set: run scripts/test, which starts PgBouncer in transaction mode");
    }
    return url;
  }

  /**
   * The superuser URI of a server the tests may stop: {@link #url()} when {@code TEST_DATABASE_CONTROL}
   * controls it, else {@code TEST_RESTART_DATABASE_URL} (a throwaway cluster scripts/test starts
   * beside a server of yours).
   */
  static String stoppableUrl() {
    return isBlank(System.getenv("TEST_DATABASE_CONTROL")) && !isBlank(System.getenv("TEST_RESTART_DATABASE_URL"))
        ? System.getenv("TEST_RESTART_DATABASE_URL")
        : get().url();
  }

  /** Stops or starts the server of {@link #stoppableUrl()}. */
  static void control(String action) throws IOException, InterruptedException {
    String command = System.getenv("TEST_DATABASE_CONTROL");
    if (isBlank(command)) {
      command = System.getenv("TEST_RESTART_DATABASE_CONTROL");
    }
    if (isBlank(command)) {
      fail("TEST_DATABASE_CONTROL is not set: run scripts/test, which provides a command to stop and start a server");
    }
    Process process = new ProcessBuilder(List.of(command, action)).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      fail("'" + command + " " + action + "' failed: " + output);
    }
  }
}
