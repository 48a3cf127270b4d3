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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped SQL scripts ({@code io/convstate/postgres/conversation_states.sql} and
 * {@code drop_conversation_states.sql}), rendered for a configured table name, and the checks a
 * store makes on open: the table exists and the role may read and write it.
 */
public final class Schema {

  /** Classpath location of the DDL, runnable as it is with {@code psql -f}. */
  public static final String CREATE_SCRIPT = "io/convstate/postgres/conversation_states.sql";
  /** Classpath location of the script that drops the table. */
  public static final String DROP_SCRIPT = "io/convstate/postgres/drop_conversation_states.sql";

  private static final Pattern TABLE_WORD = Pattern.compile("\\bconversation_states\\b");
  private static final List<String> PRIVILEGES = List.of("SELECT", "INSERT", "UPDATE", "DELETE");

  private Schema() {}

  /** The DDL for {@code table} (a name or schema.name, validated as in the {@code table} option). */
  public static String createScript(String table) {
    return render(CREATE_SCRIPT, TableName.parse(table));
  }

  /** The drop script for {@code table}. */
  public static String dropScript(String table) {
    return render(DROP_SCRIPT, TableName.parse(table));
  }

  static String render(String resource, TableName table) {
    String script = read(resource);
    if (table.toString().equals(TableName.DEFAULT)) {
      return script;
    }
    StringBuilder rendered = new StringBuilder();
    for (String line : script.split("\n", -1)) {
      // Comments keep the default name: they describe the shipped file.
      String renamed = line.startsWith("--") ? line : TABLE_WORD.matcher(
          line.replace("idx_conversation_states_", "idx_" + table.table() + "_")).replaceAll(Matcher.quoteReplacement(table.sql()));
      rendered.append(rendered.length() == 0 ? "" : "\n").append(renamed);
    }
    return rendered.toString();
  }

  /**
   * Checks the table on open; creates it first when it is missing and {@code create} is set.
   *
   * @throws ConfigurationException when the table is missing (with how to create it) or the role
   *     lacks a privilege (with the GRANT that fixes it)
   */
  static void check(Connection connection, TableName table, boolean create) throws SQLException {
    if (!exists(connection, table)) {
      if (!create) {
        throw new ConfigurationException(SqlErrors.missingTable(table));
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute(render(CREATE_SCRIPT, table));
      } catch (SQLException e) {
        // Another node may have created it at the same moment; only a still-missing table is an error.
        if (!exists(connection, table)) {
          throw e;
        }
      }
    }
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
          if (!row.getBoolean(i + 1)) {
            missing.add(PRIVILEGES.get(i));
          }
        }
        if (!missing.isEmpty()) {
          String role = row.getString(5);
          throw new ConfigurationException("Role '" + role + "' lacks " + String.join(", ", missing) + " on table '" + table
              + "'. " + SqlErrors.missingPrivilege(table).replace("<role>", quoteRole(role)));
        }
      }
    }
  }

  static boolean exists(Connection connection, TableName table) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      statement.setString(1, table.sql());
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getBoolean(1);
      }
    }
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
