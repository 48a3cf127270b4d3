package io.convstate.postgres;

import io.convstate.ConfigurationException;
import io.convstate.StoreConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Locale;

/**
 * The operator's work on the table, over one plain connection (no pool): create it, verify it as
 * the seed's Verification and Troubleshooting sections do, count what a cleanup would delete, and
 * summarise what it holds. Not thread-safe; close it after use.
 */
public final class PostgresAdmin implements AutoCloseable {

  /** A problem {@link #verify()} found, and the SQL or step that fixes it. */
  public static final class Finding {
    private final String problem;
    private final String fix;

    Finding(String problem, String fix) {
      this.problem = problem;
      this.fix = fix;
    }

    public String problem() {
      return problem;
    }

    public String fix() {
      return fix;
    }

    @Override
    public String toString() {
      return problem + " Fix: " + fix;
    }
  }

  /** What the table holds. */
  public static final class Summary {
    public final long states;
    /** Bytes of the stored (possibly compressed) items. */
    public final long itemsBytes;
    /** Bytes on disk of the table with its indexes and TOAST data. */
    public final long tableBytes;
    /** Oldest and newest updated_at; null when the table is empty. */
    public final Instant oldest;
    public final Instant newest;
    public final Map<String, Long> byProvider;
    public final Map<String, Long> byModel;

    Summary(long states, long itemsBytes, long tableBytes, Instant oldest, Instant newest,
        Map<String, Long> byProvider, Map<String, Long> byModel) {
      this.states = states;
      this.itemsBytes = itemsBytes;
      this.tableBytes = tableBytes;
      this.oldest = oldest;
      this.newest = newest;
      this.byProvider = byProvider;
      this.byModel = byModel;
    }
  }

  private static final Map<String, String> COLUMNS = columns();

  private final Connection connection;
  private final TableName table;
  private final String description;
  private final SqlErrors errors;

  private PostgresAdmin(Connection connection, PostgresOptions options) {
    this.connection = connection;
    this.table = options.table;
    this.description = options.connection.description();
    this.errors = new SqlErrors(options.connection, options.table);
  }

  /**
   * Connects with the postgres store's options ({@code connection_string}, {@code user},
   * {@code password}, {@code table}).
   *
   * @throws ConfigurationException for a bad option
   * @throws io.convstate.StorageUnavailableException when the server cannot be reached
   */
  public static PostgresAdmin connect(StoreConfig config) {
    PostgresOptions options = new PostgresOptions(config);
    ConnectionSettings settings = options.connection;
    Properties properties = settings.properties();
    if (settings.user() != null) {
      properties.setProperty("user", settings.user());
    }
    if (settings.password() != null) {
      properties.setProperty("password", settings.password());
    }
    properties.putIfAbsent("ApplicationName", "convstate-cli");
    try {
      return new PostgresAdmin(DriverManager.getConnection(settings.jdbcUrl(), properties), options);
    } catch (SQLException e) {
      throw new SqlErrors(settings, options.table).translate("connect", e);
    }
  }

  /** Where this is connected (hosts, database, user; never the password) and the table. */
  public String description() {
    return description + ", table " + table;
  }

  /**
   * Runs the create script; it is idempotent, so it also adds indexes that are missing.
   *
   * @return true when the table did not exist before
   */
  public boolean migrate() {
    try {
      boolean existed = exists();
      try (Statement statement = connection.createStatement()) {
        statement.execute(Schema.render(Schema.CREATE_SCRIPT, table));
      }
      return !existed;
    } catch (SQLException e) {
      throw errors.translate("migrate", e);
    }
  }

  /** Every problem with the table, each with its fix; empty when it is as convstate needs it. */
  public List<Finding> verify() {
    List<Finding> findings = new ArrayList<>();
    try {
      if (!exists()) {
        findings.add(new Finding("Table '" + table + "' does not exist.",
            "convstate migrate, or psql -f conversation_states.sql (io/convstate/postgres/ in convstate-backend-postgres)"));
        return findings;
      }
      Map<String, String> actual = new LinkedHashMap<>();
      Set<String> notNull = new HashSet<>();
      query("SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute"
          + " WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped", row -> {
            actual.put(row.getString(1), row.getString(2));
            if (row.getBoolean(3)) {
              notNull.add(row.getString(1));
            }
          });
      COLUMNS.forEach((column, type) -> {
        String found = actual.get(column);
        if (found == null) {
          findings.add(new Finding("Column '" + column + "' is missing.",
              "ALTER TABLE " + table + " ADD COLUMN " + column + " " + type.toUpperCase(Locale.ROOT) + ";"));
        } else if (!found.equals(type)) {
          findings.add(new Finding("Column '" + column + "' is " + found + ", not " + type + ".",
              "ALTER TABLE " + table + " ALTER COLUMN " + column + " TYPE " + type + " USING " + column + "::" + type + ";"));
        } else if (!column.equals("updated_at") && !notNull.contains(column)) {
          findings.add(new Finding("Column '" + column + "' allows NULL.",
              "ALTER TABLE " + table + " ALTER COLUMN " + column + " SET NOT NULL;"));
        }
      });
      List<String> primaryKey = new ArrayList<>();
      query("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
          + " WHERE i.indrelid = to_regclass(?) AND i.indisprimary", row -> primaryKey.add(row.getString(1)));
      if (!primaryKey.equals(List.of("response_id"))) {
        findings.add(new Finding("The primary key is " + (primaryKey.isEmpty() ? "missing" : primaryKey) + ", not (response_id): upserts need it.",
            "ALTER TABLE " + table + " ADD PRIMARY KEY (response_id);"));
      }
      Set<String> indexed = new HashSet<>();
      query("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
          + " WHERE i.indrelid = to_regclass(?)", row -> indexed.add(row.getString(1)));
      for (String column : List.of("created_at", "provider", "updated_at")) {
        if (!indexed.contains(column)) {
          findings.add(new Finding("No index on " + column + (column.equals("updated_at") ? " (cleanup scans the table without it)." : "."),
              "CREATE INDEX IF NOT EXISTS idx_" + table.table() + "_" + column + " ON " + table + " (" + column + "); or convstate migrate"));
        }
      }
      List<String> missing = new ArrayList<>();
      String[] role = new String[1];
      query("SELECT has_table_privilege(to_regclass(?), 'SELECT'), has_table_privilege(to_regclass(?), 'INSERT'),"
          + " has_table_privilege(to_regclass(?), 'UPDATE'), has_table_privilege(to_regclass(?), 'DELETE'), current_user", row -> {
            String[] names = {"SELECT", "INSERT", "UPDATE", "DELETE"};
            for (int i = 0; i < names.length; i++) {
              if (!row.getBoolean(i + 1)) {
                missing.add(names[i]);
              }
            }
            role[0] = row.getString(5);
          });
      if (!missing.isEmpty()) {
        findings.add(new Finding("Role '" + role[0] + "' lacks " + String.join(", ", missing) + " on " + table + ".",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON " + table + " TO " + role[0] + "; (as the table's owner)"));
      }
      return findings;
    } catch (SQLException e) {
      throw errors.translate("verify", e);
    }
  }

  /** How many states a cleanup with this cutoff would delete. */
  public long countUpdatedBefore(Instant cutoff) {
    try (PreparedStatement statement = connection.prepareStatement("SELECT count(*) FROM " + table.sql() + " WHERE updated_at < ?")) {
      statement.setObject(1, LocalDateTime.ofInstant(cutoff, ZoneOffset.UTC));
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw errors.translate("count", e);
    }
  }

  /** Count, sizes, oldest and newest, and counts per provider and model. */
  public Summary summary() {
    try (Statement statement = connection.createStatement()) {
      long states;
      long itemsBytes;
      LocalDateTime oldest;
      LocalDateTime newest;
      try (ResultSet row = statement.executeQuery("SELECT count(*), coalesce(sum(pg_column_size(input_items)), 0),"
          + " min(updated_at), max(updated_at) FROM " + table.sql())) {
        row.next();
        states = row.getLong(1);
        itemsBytes = row.getLong(2);
        oldest = row.getObject(3, LocalDateTime.class);
        newest = row.getObject(4, LocalDateTime.class);
      }
      long tableBytes;
      try (ResultSet row = statement.executeQuery("SELECT pg_total_relation_size('" + table.sql().replace("'", "''") + "')")) {
        row.next();
        tableBytes = row.getLong(1);
      }
      return new Summary(states, itemsBytes, tableBytes,
          oldest == null ? null : oldest.toInstant(ZoneOffset.UTC), newest == null ? null : newest.toInstant(ZoneOffset.UTC),
          counts(statement, "provider"), counts(statement, "model"));
    } catch (SQLException e) {
      throw errors.translate("stats", e);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // closing a connection that failed is not worth reporting
    }
  }

  private Map<String, Long> counts(Statement statement, String column) throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (ResultSet rows = statement.executeQuery(
        "SELECT " + column + ", count(*) FROM " + table.sql() + " GROUP BY 1 ORDER BY 2 DESC, 1")) {
      while (rows.next()) {
        counts.put(rows.getString(1), rows.getLong(2));
      }
    }
    return counts;
  }

  private boolean exists() throws SQLException {
    return Schema.exists(connection, table);
  }

  private interface RowHandler {
    void handle(ResultSet row) throws SQLException;
  }

  /** Runs a query whose every {@code ?} is the table name, handling each row. */
  private void query(String sql, RowHandler handler) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 1; i <= statement.getParameterMetaData().getParameterCount(); i++) {
        statement.setString(i, table.sql());
      }
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          handler.handle(rows);
        }
      }
    }
  }

  private static Map<String, String> columns() {
    Map<String, String> columns = new LinkedHashMap<>();
    columns.put("response_id", "text");
    columns.put("input_items", "jsonb");
    columns.put("created_at", "bigint");
    columns.put("model", "text");
    columns.put("provider", "text");
    columns.put("updated_at", "timestamp without time zone");
    return columns;
  }
}
