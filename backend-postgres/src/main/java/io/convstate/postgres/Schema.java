package io.convstate.postgres;

import io.convstate.ConfigurationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped SQL scripts, rendered for a configured table name, and the checks a store makes on
 * open: the tables exist with the layout's columns, and the role may read and write them.
 *
 * <ul>
 *   <li>{@code io/convstate/postgres/conversation_turns.sql} and {@code drop_conversation_turns.sql}:
 *       the turn layout ({@code conversation_turns}, {@code conversation_turns_conversations} and
 *       the read-only view {@code conversation_turns_states});
 *   <li>{@code io/convstate/postgres/conversation_states.sql} and {@code drop_conversation_states.sql}:
 *       the seed layout, created or completed with the columns convstate 0.2 adds.
 * </ul>
 *
 * Every script is idempotent and runs as it is with {@code psql -f}; rendered for another table,
 * each name derived from the default one is derived from the given one
 * ({@code app.turns}, {@code app.turns_conversations}, {@code idx_turns_...}).
 */
public final class Schema {

  /** The turn layout's columns, in the table. */
  static final List<String> TURN_COLUMNS = List.of("response_id", "conversation_id", "previous_response_id", "depth",
      "owner", "input_items", "output_items", "model", "provider", "created_at", "conversation_created_at", "metadata",
      "recorded_at", "deleted");
  /** The columns of the turn layout's conversations table. */
  static final List<String> CONVERSATION_COLUMNS = List.of("conversation_id", "last_activity");
  /** The seed's columns. */
  static final List<String> SEED_COLUMNS = List.of("response_id", "input_items", "created_at", "model", "provider", "updated_at");
  /** The columns convstate 0.2 adds to a seed table. */
  static final List<String> SEED_ADDED_COLUMNS = List.of("owner", "previous_response_id", "conversation_id", "deleted", "turns");

  private static final List<String> PRIVILEGES = List.of("SELECT", "INSERT", "UPDATE", "DELETE");

  /** Columns whose type the store's SQL relies on (jsonb functions and operators), by layout. */
  private static final List<String> TURN_JSONB_COLUMNS = List.of("input_items", "output_items", "metadata");
  private static final List<String> SEED_JSONB_COLUMNS = List.of("input_items");

  private Schema() {}

  /** The create script of {@code layout} for {@code table} (a name or schema.name, as option {@code table}). */
  public static String createScript(Layout layout, String table) {
    return render(layout.createScript(), layout, TableName.parse(table));
  }

  /** The drop script of {@code layout} for {@code table}. */
  public static String dropScript(Layout layout, String table) {
    return render(layout.dropScript(), layout, TableName.parse(table));
  }

  static String render(String resource, Layout layout, TableName table) {
    String script = read(resource);
    if (table.toString().equals(layout.defaultTable())) {
      return script;
    }
    String base = layout.defaultTable();
    Pattern names = Pattern.compile(
        "(?<![A-Za-z0-9_])(idx_" + base + "_[a-z_]+|" + base + "(?:_conversations|_states)?)(?![A-Za-z0-9_])");
    StringBuilder rendered = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      // Comments keep the default names: they describe the shipped file.
      String renamed = line.startsWith("--")
          ? line
          : names.matcher(line).replaceAll(match -> Matcher.quoteReplacement(rename(match.group(1), base, table)));
      rendered.append(rendered.length() == 0 ? "" : "\n").append(renamed);
    }
    return rendered.toString();
  }

  /** A name of the shipped script for {@code table}: the table, its conversations table and view, an index. */
  private static String rename(String name, String base, TableName table) {
    if (name.startsWith("idx_")) {
      return "idx_" + table.table() + name.substring(("idx_" + base).length());
    }
    return name.equals(base) ? table.sql() : table.withSuffix(name.substring(base.length() + 1)).sql();
  }

  /**
   * Checks the layout's tables on open; creates them first when they are missing and
   * {@code create} is set.
   *
   * @throws ConfigurationException when a table is missing (with how to create it), has the other
   *     layout, lacks columns or has item columns that are not jsonb (with the option, migration or
   *     ALTER TABLE that fixes it), or the role lacks a
   *     privilege (with the GRANT that fixes it)
   */
  static void check(Connection connection, Layout layout, TableName table, boolean create) throws SQLException {
    if (layout == Layout.TURNS) {
      checkTurns(connection, table, create);
    } else {
      checkSeed(connection, table, create);
    }
  }

  private static void checkTurns(Connection connection, TableName table, boolean create) throws SQLException {
    TableName conversations = TurnTable.conversationsTable(table);
    Set<String> columns = columns(connection, table);
    if (!columns.isEmpty() && !columns.contains("output_items") && columns.contains("updated_at")) {
      throw new ConfigurationException("Table '" + table + "' has the conversation_states layout (one row per response"
          + " holding the whole history), not the turns layout. Set option layout=conversation_states to use it as it is,"
          + " or copy it into a turns table (convstate copy-to-turns) and use that.");
    }
    if (columns.isEmpty() || !exists(connection, conversations)) {
      if (!create) {
        TableName seed = table.sibling(Layout.CONVERSATION_STATES.defaultTable());
        if (columns.isEmpty() && exists(connection, seed)) {
          throw new ConfigurationException("Table '" + table + "' does not exist, but '" + seed + "' does: it has the"
              + " conversation_states layout. Set option layout=conversation_states (and table, if it is not the default)"
              + " to keep using it, or migrate: create '" + table + "' (convstate migrate, or schema.create=true) and copy"
              + " the states into it (convstate copy-to-turns).");
        }
        throw new ConfigurationException(columns.isEmpty()
            ? SqlErrors.missingTable(Layout.TURNS, table)
            : SqlErrors.missingTable(Layout.TURNS, conversations));
      }
      runCreateScript(connection, Layout.TURNS, table);
      columns = columns(connection, table);
    }
    requireColumns(table, columns, TURN_COLUMNS, "convstate migrate, or the shipped conversation_turns.sql");
    requireJsonb(connection, table, TURN_JSONB_COLUMNS);
    requireColumns(conversations, columns(connection, conversations), CONVERSATION_COLUMNS,
        "convstate migrate, or the shipped conversation_turns.sql");
    requirePrivileges(connection, table);
    requirePrivileges(connection, conversations);
  }

  private static void checkSeed(Connection connection, TableName table, boolean create) throws SQLException {
    Set<String> columns = columns(connection, table);
    if (columns.isEmpty()) {
      if (!create) {
        throw new ConfigurationException(SqlErrors.missingTable(Layout.CONVERSATION_STATES, table));
      }
      runCreateScript(connection, Layout.CONVERSATION_STATES, table);
      columns = columns(connection, table);
    }
    if (columns.contains("output_items")) {
      throw new ConfigurationException("Table '" + table + "' has the turns layout (one row per turn), not the"
          + " conversation_states layout. Set option layout=turns (the default) to use it.");
    }
    requireColumns(table, columns, SEED_COLUMNS, "ALTER TABLE, or recreate it with conversation_states.sql");
    requireJsonb(connection, table, SEED_JSONB_COLUMNS);
    List<String> missing = missing(columns, SEED_ADDED_COLUMNS);
    if (!missing.isEmpty()) {
      throw new ConfigurationException("Table '" + table + "' lacks the columns convstate 0.2 adds to the"
          + " conversation_states layout (" + String.join(", ", missing) + "). Run convstate migrate (or psql -f"
          + " conversation_states.sql, from io/convstate/postgres/ in convstate-backend-postgres): it adds them"
          + " without touching the existing rows, and other tools writing the table keep working.");
    }
    requirePrivileges(connection, table);
  }

  /** Runs a layout's create script; another node creating the tables at the same moment is fine. */
  static void runCreateScript(Connection connection, Layout layout, TableName table) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(render(layout.createScript(), layout, table));
    } catch (SQLException e) {
      // Concurrent CREATE ... IF NOT EXISTS can still collide on the catalog; only a missing table is an error.
      if (columns(connection, table).isEmpty()) {
        throw e;
      }
    }
  }

  /** Refuses a table whose item columns are not jsonb (json or text would fail every read and write). */
  private static void requireJsonb(Connection connection, TableName table, List<String> required) throws SQLException {
    List<String> wrong = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement("SELECT attname, format_type(atttypid, atttypmod)"
        + " FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped")) {
      statement.setString(1, table.sql());
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          if (required.contains(rows.getString(1)) && !"jsonb".equals(rows.getString(2))) {
            wrong.add(rows.getString(1) + " is " + rows.getString(2));
          }
        }
      }
    }
    if (!wrong.isEmpty()) {
      throw new ConfigurationException("Table '" + table + "' has columns of the wrong type (" + String.join(", ", wrong)
          + "); convstate needs jsonb. Fix: ALTER TABLE " + table + " ALTER COLUMN <column> TYPE jsonb USING <column>::jsonb,"
          + " or recreate the table with the shipped script. Run convstate verify with the same options to check the rest.");
    }
  }

  private static void requireColumns(TableName table, Set<String> columns, List<String> required, String fix) {
    List<String> missing = missing(columns, required);
    if (!missing.isEmpty()) {
      throw new ConfigurationException("Table '" + table + "' lacks the columns " + String.join(", ", missing)
          + " that convstate needs. Fix: " + fix + ".");
    }
  }

  private static List<String> missing(Set<String> columns, List<String> required) {
    List<String> missing = new ArrayList<>();
    for (String column : required) {
      if (!columns.contains(column)) {
        missing.add(column);
      }
    }
    return missing;
  }

  /**
   * Requires what the store's calls need on {@code table}: SELECT, and INSERT, UPDATE and DELETE
   * unless the connection is read-only (option {@code access=read_only}), so a read-only role can
   * open a store to read.
   */
  private static void requirePrivileges(Connection connection, TableName table) throws SQLException {
    boolean readOnly = connection.isReadOnly();
    List<String> missing = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT has_table_privilege(to_regclass(?), 'SELECT'), has_table_privilege(to_regclass(?), 'INSERT'),"
            + " has_table_privilege(to_regclass(?), 'UPDATE'), has_table_privilege(to_regclass(?), 'DELETE'), current_user")) {
      for (int i = 1; i <= 4; i++) {
        statement.setString(i, table.sql());
      }
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        for (int i = 0; i < PRIVILEGES.size(); i++) {
          if (!row.getBoolean(i + 1) && (i == 0 || !readOnly)) {
            missing.add(PRIVILEGES.get(i));
          }
        }
        if (!missing.isEmpty()) {
          String role = row.getString(5);
          throw new ConfigurationException("Role '" + role + "' lacks " + String.join(", ", missing) + " on table '" + table
              + "'. " + (readOnly
                  ? "Grant the role what reading needs: GRANT SELECT ON " + table + " TO " + quoteRole(role) + ";"
                  : SqlErrors.missingPrivilege(table).replace("<role>", quoteRole(role))
                      + " (A role that only reads can set option access=read_only.)"));
        }
      }
    }
  }

  /** Whether the table (or view) exists. */
  static boolean exists(Connection connection, TableName table) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      statement.setString(1, table.sql());
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
  }

  /** The table's column names; empty when it does not exist. */
  static Set<String> columns(Connection connection, TableName table) throws SQLException {
    Set<String> columns = new HashSet<>();
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped")) {
      statement.setString(1, table.sql());
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          columns.add(rows.getString(1));
        }
      }
    }
    return columns;
  }

  private static String quoteRole(String role) {
    return role.matches("[a-z_][a-z0-9_]*") ? role : '"' + role.replace("\"", "\"\"") + '"';
  }

  private static String read(String resource) {
    try (InputStream in = Schema.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
