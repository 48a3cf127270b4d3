package io.convstate.postgres;

import io.convstate.ConvStateException;
import io.convstate.InvalidInputException;
import io.convstate.Secrets;
import io.convstate.StorageException;
import io.convstate.StorageUnavailableException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/**
 * Turns driver errors into convstate's exceptions with a message a user can act on: where the
 * store tried to connect (never the password), what failed, and how to fix it.
 */
final class SqlErrors {

  private final String target;
  private final Layout layout;
  private final TableName table;

  SqlErrors(ConnectionSettings settings, Layout layout, TableName table) {
    this.target = settings.description();
    this.layout = layout;
    this.table = table;
  }

  /** The exception to throw for {@code e}, raised while doing {@code action} (e.g. "record"). */
  ConvStateException translate(String action, SQLException e) {
    String state = sqlState(e);
    String detail = Secrets.maskInText(firstMessage(e));
    String prefix = "PostgreSQL " + action + " failed (" + target + "): ";
    if (state == null) {
      return e instanceof SQLTransientConnectionException
          ? new StorageUnavailableException(prefix + "no connection available: " + detail, e)
          : new StorageException(prefix + detail, e);
    }
    if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P") || state.equals("57014")
        || state.startsWith("28") || state.equals("3D000") || state.equals("40001") || state.equals("40P01")) {
      return new StorageUnavailableException(prefix + detail + hint(state), e);
    }
    if (state.equals("22P02") || state.equals("22P05") || state.equals("22021") || state.equals("54000")) {
      return new InvalidInputException("turn", "refused by PostgreSQL: " + detail, e);
    }
    if (state.equals("3F000")) {
      return new StorageException(prefix + detail + ". Create the schema first (CREATE SCHEMA name;) or use a table in an existing one.", e);
    }
    if (state.equals("42P01")) {
      return new StorageException(prefix + missingTable(layout, table) + " (" + detail + ")", e);
    }
    if (state.equals("42501")) {
      return new StorageException(prefix + detail + ". " + missingPrivilege(table), e);
    }
    return new StorageException(prefix + detail + " [SQLState " + state + "]", e);
  }

  /** The seed's message for a missing table, with the layout's script and the other ways to create it. */
  static String missingTable(Layout layout, TableName table) {
    return "Table '" + table + "' does not exist. Create it with the shipped script (psql \"$DATABASE_URL\" -f "
        + layout.defaultTable() + ".sql, from io/convstate/postgres/ in convstate-backend-postgres), with convstate migrate,"
        + " or set option schema.create=true to let the store create it (layout=" + layout + ").";
  }

  /** The GRANT a role needs on {@code table}, with {@code <role>} for the role. */
  static String missingPrivilege(TableName table) {
    return "Grant the role what the store needs: GRANT SELECT, INSERT, UPDATE, DELETE ON " + table + " TO <role>;";
  }

  private static String hint(String state) {
    if (state.startsWith("28")) {
      return ". Check the user and password (option connection_string, or user and password).";
    }
    if (state.equals("3D000")) {
      return ". Check the database name in connection_string.";
    }
    if (state.equals("57014")) {
      return ". The statement timed out or was cancelled; retry, or raise the server's statement_timeout.";
    }
    if (state.startsWith("08") || state.startsWith("57P")) {
      return ". The server may be down or restarting; the store reconnects by itself when it is back.";
    }
    return "";
  }

  private static String sqlState(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException && ((SQLException) t).getSQLState() != null) {
        return ((SQLException) t).getSQLState();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  /**
   * The driver's own message (the innermost SQLException's, not the pool's wrapper), plus the
   * cause below it when that says more (an unknown host, a refused socket).
   */
  private static String firstMessage(SQLException e) {
    SQLException innermost = e;
    Throwable root = e;
    for (Throwable t = e; t != null && t != t.getCause(); t = t.getCause()) {
      if (t instanceof SQLException) {
        innermost = (SQLException) t;
      }
      root = t;
    }
    String message = String.valueOf(innermost.getMessage());
    return root == innermost || root.getMessage() == null || message.contains(root.getMessage())
        ? message
        : message + " (" + root + ")";
  }
}
