package io.convstate.postgres;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A statement written with named parameters ({@code :response_id}) and table placeholders
 * ({@code %TABLE%}, {@code %CONVERSATIONS%}), rendered once for a table into JDBC's {@code ?} form.
 * A name may appear several times; {@code ::jsonb} casts and quoted text are left alone.
 * Immutable; {@link Binder} is one statement's, not thread-safe.
 */
final class NamedSql {

  private final String sql;
  private final Map<String, List<Integer>> positions;

  private NamedSql(String sql, Map<String, List<Integer>> positions) {
    this.sql = sql;
    this.positions = positions;
  }

  /** Renders {@code template} with each placeholder replaced by its table's SQL name. */
  static NamedSql render(String template, Map<String, TableName> tables) {
    String text = template;
    for (Map.Entry<String, TableName> table : tables.entrySet()) {
      text = text.replace(table.getKey(), table.getValue().sql());
    }
    return parse(text);
  }

  static NamedSql parse(String text) {
    StringBuilder sql = new StringBuilder(text.length());
    Map<String, List<Integer>> positions = new HashMap<>();
    int index = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\'' || c == '"') {
        int end = text.indexOf(c, i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated quote in " + text);
        }
        sql.append(text, i, end + 1);
        i = end;
      } else if (c == ':' && i + 1 < text.length() && text.charAt(i + 1) == ':') {
        sql.append("::");
        i++;
      } else if (c == ':' && i + 1 < text.length() && isNameStart(text.charAt(i + 1))) {
        int end = i + 1;
        while (end < text.length() && isNamePart(text.charAt(end))) {
          end++;
        }
        positions.computeIfAbsent(text.substring(i + 1, end), name -> new ArrayList<>()).add(++index);
        sql.append('?');
        i = end - 1;
      } else {
        sql.append(c);
      }
    }
    return new NamedSql(sql.toString(), positions);
  }

  private static boolean isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || c == '_';
  }

  private static boolean isNamePart(char c) {
    return isNameStart(c) || (c >= '0' && c <= '9');
  }

  /** The statement in JDBC form. */
  String sql() {
    return sql;
  }

  /** Prepares the statement on {@code connection}; bind its parameters with the returned binder. */
  Binder prepare(Connection connection) throws SQLException {
    return new Binder(connection.prepareStatement(sql));
  }

  /** Sets a statement's named parameters. Closing it closes the statement. */
  final class Binder implements AutoCloseable {
    final PreparedStatement statement;

    private Binder(PreparedStatement statement) {
      this.statement = statement;
    }

    private List<Integer> at(String name) {
      List<Integer> at = positions.get(name);
      if (at == null) {
        throw new IllegalArgumentException("no parameter :" + name + " in " + sql);
      }
      return at;
    }

    /** A text parameter; null sets SQL NULL. */
    Binder text(String name, String value) throws SQLException {
      for (int i : at(name)) {
        if (value == null) {
          statement.setNull(i, Types.VARCHAR);
        } else {
          statement.setString(i, value);
        }
      }
      return this;
    }

    Binder number(String name, long value) throws SQLException {
      for (int i : at(name)) {
        statement.setLong(i, value);
      }
      return this;
    }

    Binder integer(String name, int value) throws SQLException {
      for (int i : at(name)) {
        statement.setInt(i, value);
      }
      return this;
    }

    Binder bool(String name, boolean value) throws SQLException {
      for (int i : at(name)) {
        statement.setBoolean(i, value);
      }
      return this;
    }

    /** A {@code TIMESTAMP} (without time zone) parameter. */
    Binder timestamp(String name, LocalDateTime value) throws SQLException {
      for (int i : at(name)) {
        statement.setObject(i, value);
      }
      return this;
    }

    /** A {@code text[]} parameter. */
    Binder texts(String name, List<String> values) throws SQLException {
      Array array = statement.getConnection().createArrayOf("text", values.toArray());
      for (int i : at(name)) {
        statement.setArray(i, array);
      }
      return this;
    }

    @Override
    public void close() throws SQLException {
      statement.close();
    }
  }
}
