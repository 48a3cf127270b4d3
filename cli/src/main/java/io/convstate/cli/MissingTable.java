package io.convstate.cli;

import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises a failure caused by a missing table, whichever way the store reports it (a
 * configuration error when it opens, or PostgreSQL's undefined_table while a command runs), so
 * that every command exits 2 for it and names the commands that create that very table.
 */
final class MissingTable {

  /** PostgreSQL's SQLState for undefined_table. */
  private static final String UNDEFINED_TABLE = "42P01";
  private static final Pattern NAMED = Pattern.compile("Table '([^']+)' does not exist");

  private MissingTable() {}

  /** True when {@code e} or one of its causes says a table does not exist. */
  static boolean in(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException && UNDEFINED_TABLE.equals(((SQLException) t).getSQLState())) {
        return true;
      }
      if (t.getMessage() != null && NAMED.matcher(t.getMessage()).find()) {
        return true;
      }
    }
    return false;
  }

  /** The missing table's name as the message gives it, or null when the message names none. */
  static String named(String message) {
    Matcher matcher = NAMED.matcher(message == null ? "" : message);
    return matcher.find() ? matcher.group(1) : null;
  }
}
