package io.convstate.postgres;

import io.convstate.ConfigurationException;
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
  private final ConnectionSettings settings;
  private final Layout layout;
  private final TableName table;

  SqlErrors(ConnectionSettings settings, Layout layout, TableName table) {
    this.settings = settings;
    this.target = settings == null ? "the host's DataSource" : settings.description();
    this.layout = layout;
    this.table = table;
  }

  /**
   * The exception to throw for {@code e}, raised while doing {@code action} (e.g. "record") on a
   * store that is open. What a retry can cure is {@link StorageUnavailableException}: the server
   * or the network is down, the server is read-only after a failover (25006), shutting down
   * (57P01..57P05), out of resources (53...), a statement timed out or was cancelled (57014), a
   * serialization failure or deadlock (40001, 40P01), no pooled connection came in time -- and an
   * authentication failure or a missing database, since the store was working: a rotated password
   * or a database being restored is an outage from the host's side, and the store heals once it is
   * fixed. A number out of PostgreSQL's range (22003) and text it refuses are the caller's input
   * ({@link InvalidInputException}); the rest is a {@link StorageException}.
   */
  ConvStateException translate(String action, SQLException e) {
    String state = sqlState(e);
    String detail = withoutFinalPeriod(settings == null ? Secrets.maskInText(firstMessage(e)) : settings.redact(firstMessage(e)));
    String prefix = "PostgreSQL " + action + " failed (" + target + "): ";
    switch (classify(state, e)) {
      case UNAVAILABLE:
        return new StorageUnavailableException(prefix + (state == null ? "no connection available: " : "") + detail + hint(state), safe(e));
      case INVALID_INPUT:
        return new InvalidInputException("turn", "refused by PostgreSQL: " + detail, safe(e));
      default:
        break;
    }
    if ("22023".equals(state) && detail.contains("array")) {
      return new StorageException(prefix + "a row of table '" + table + "' holds items that are not a JSON array, as convstate"
          + " writes them (was it written by another tool?): " + detail, safe(e));
    }
    if ("3F000".equals(state)) {
      return new StorageException(prefix + detail + ". Create the schema first (CREATE SCHEMA name;) or use a table in an existing one.", safe(e));
    }
    if ("42P01".equals(state)) {
      return new StorageException(prefix + missingTable(layout, table) + " (" + detail + ")" + VERIFY, safe(e));
    }
    if ("42501".equals(state)) {
      return new StorageException(prefix + detail + ". " + missingPrivilege(table) + VERIFY, safe(e));
    }
    if (state != null && (state.equals("42703") || state.equals("42804") || state.equals("42883") || state.equals("42846"))) {
      return new StorageException(prefix + detail + ". The table's columns do not match the layout " + layout
          + " (a missing column or one of the wrong type)." + VERIFY_FIXES, safe(e));
    }
    if (isPoolerPreparedStatement(state, detail)) {
      return new StorageException(prefix + detail + ". " + POOLER_HINT, safe(e));
    }
    return new StorageException(prefix + detail + (state == null ? "" : " [SQLState " + state + "]"), safe(e));
  }

  /**
   * The exception for {@code e} raised while opening the store: what only a change of configuration
   * cures -- authentication (28...), a missing database (3D000), an unknown host, SSL refused or
   * required (08004, or an SSL handshake failure), a missing schema, table or privilege, wrong
   * columns -- is a {@link ConfigurationException} saying what to fix; the rest as {@link #translate}.
   */
  ConvStateException translateOpen(SQLException e) {
    String state = sqlState(e);
    String detail = withoutFinalPeriod(settings == null ? Secrets.maskInText(firstMessage(e)) : settings.redact(firstMessage(e)));
    String prefix = "PostgreSQL open failed (" + target + "): ";
    if (state != null && state.startsWith("28")) {
      return new ConfigurationException(prefix + detail + hint(state) + VERIFY, safe(e));
    }
    if ("3D000".equals(state)) {
      return new ConfigurationException(prefix + detail + hint(state) + VERIFY, safe(e));
    }
    if (hasCause(e, java.net.UnknownHostException.class)) {
      return new ConfigurationException(prefix + detail + ". Check the host name in connection_string." + VERIFY, safe(e));
    }
    if ("08004".equals(state) || hasCause(e, javax.net.ssl.SSLException.class) || detail.contains("SSL")) {
      return new ConfigurationException(prefix + detail + ". The server and sslmode (in connection_string) disagree:"
          + " use sslmode=disable for a server without SSL, or enable SSL on the server; for verify-ca/verify-full"
          + " check sslrootcert." + VERIFY, safe(e));
    }
    ConvStateException translated = translate("open", safe(e));
    if (translated.getClass() == StorageException.class && state != null
        && (state.equals("3F000") || state.startsWith("42"))) {
      String message = translated.getMessage();
      return new ConfigurationException(message.contains(VERIFY) ? message : message + VERIFY, safe(e));
    }
    return translated;
  }

  private static final String VERIFY = " Run convstate verify with the same options to check the whole configuration.";
  private static final String VERIFY_FIXES = " Run convstate verify with the same options: it names each wrong column"
      + " with the ALTER TABLE that fixes it, keeping the rows.";
  static final String POOLER_HINT = "The store is behind a transaction-mode pooler (PgBouncer pool_mode=transaction,"
      + " Supabase's port 6543), which hands each transaction to any server connection: set option pooler=transaction.";

  /**
   * Whether {@code e} is a server-side prepared statement found twice or not at all: the mark of a
   * transaction-mode pooler used without {@code pooler=transaction}.
   */
  /** The driver's sentence without its final period: the hints that follow add their own. */
  private static String withoutFinalPeriod(String detail) {
    return detail != null && detail.endsWith(".") ? detail.substring(0, detail.length() - 1) : detail;
  }

  static boolean isPoolerPreparedStatement(String state, String detail) {
    return ("26000".equals(state) || "42P05".equals(state)) && detail.contains("prepared statement");
  }

  /** How a SQLState (or, without one, the exception's type) is handled; see {@link #translate}. */
  enum Kind { UNAVAILABLE, INVALID_INPUT, OTHER }

  static Kind classify(String state, SQLException e) {
    if (state == null) {
      return e instanceof SQLTransientConnectionException || e instanceof java.sql.SQLTransientException
          || e instanceof java.sql.SQLRecoverableException ? Kind.UNAVAILABLE : Kind.OTHER;
    }
    if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P") || state.equals("57014")
        || state.startsWith("28") || state.equals("3D000") || state.equals("40001") || state.equals("40P01")
        || state.equals("25006") || state.equals("55P03") || state.equals("55006") || state.equals("58030")) {
      return Kind.UNAVAILABLE;
    }
    if (state.equals("22P02") || state.equals("22P05") || state.equals("22021") || state.equals("54000")
        || state.equals("22003")) {
      return Kind.INVALID_INPUT;
    }
    return Kind.OTHER;
  }

  /**
   * {@code e} to keep as the cause, or, when a message in its chain would show the password (a
   * driver message quoting a host the connection string was split at wrongly), a copy with the
   * redacted message, SQLState and stack trace only.
   */
  private SQLException safe(SQLException e) {
    if (settings == null) {
      return e;
    }
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (!java.util.Objects.equals(t.getMessage(), settings.redact(t.getMessage()))
          || !java.util.Objects.equals(t.toString(), settings.redact(t.toString()))) {
        SQLException copy = new SQLException(settings.redact(firstMessage(e)), sqlState(e));
        copy.setStackTrace(e.getStackTrace());
        return copy;
      }
    }
    return e;
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
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
    if (state == null) {
      return "";
    }
    if (state.startsWith("28")) {
      return ". Check the user and password (option connection_string, or user and password).";
    }
    if (state.equals("3D000")) {
      return ". Check the database name in connection_string.";
    }
    if (state.equals("57014")) {
      return ". The statement timed out or was cancelled; retry, or raise option statement_timeout.";
    }
    if (state.equals("25006")) {
      return ". The server is read-only (a standby, or a primary after a failover); retry: the pool reaches the new primary"
          + " (list every host in connection_string with target_session_attrs=read-write).";
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
