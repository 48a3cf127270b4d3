package io.convstate.postgres;

import io.convstate.ConfigurationException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The table the store uses: {@code name} or {@code schema.name}, each part a plain SQL identifier
 * (a letter or underscore, then letters, digits or underscores; at most 63 bytes). Nothing else is
 * accepted, so no configured value can inject SQL. Identifiers are folded to lower case as
 * PostgreSQL folds unquoted names.
 */
final class TableName {

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  private final String schema;
  private final String table;

  private TableName(String schema, String table) {
    this.schema = schema;
    this.table = table;
  }

  /**
   * @throws ConfigurationException naming the {@code table} option when value is not one or two
   *     plain identifiers separated by a dot
   */
  static TableName parse(String value) {
    String[] parts = value.strip().split("\\.", -1);
    if (parts.length > 2 || !valid(parts[0]) || (parts.length == 2 && !valid(parts[1]))) {
      throw new ConfigurationException(
          "Option 'table' is '" + value + "'; expected a table name or schema.table, each a letter or"
              + " underscore followed by up to 62 letters, digits or underscores");
    }
    if (parts.length == 2 && (parts[0].toLowerCase(Locale.ROOT).startsWith("pg_")
        || parts[0].equalsIgnoreCase("information_schema"))) {
      throw new ConfigurationException("Option 'table' is '" + value + "'; schema '" + parts[0]
          + "' belongs to PostgreSQL itself: name a schema of your own, such as public");
    }
    return parts.length == 2
        ? new TableName(parts[0].toLowerCase(Locale.ROOT), parts[1].toLowerCase(Locale.ROOT))
        : new TableName(null, parts[0].toLowerCase(Locale.ROOT));
  }

  /**
   * The table named {@code <this table>_<suffix>} in the same schema (the turn layout's
   * conversations table).
   *
   * @throws ConfigurationException naming the {@code table} option when the name would be longer
   *     than PostgreSQL's 63-byte identifiers
   */
  TableName withSuffix(String suffix) {
    String name = table + "_" + suffix;
    if (!valid(name)) {
      throw new ConfigurationException("Option 'table' is '" + this + "'; with the turns layout its name can have at most "
          + (62 - suffix.length()) + " characters, so that '" + name + "' fits in PostgreSQL's 63-byte names");
    }
    return new TableName(schema, name);
  }

  /** The schema, or null when the name is unqualified (PostgreSQL's search_path decides). */
  String schema() {
    return schema;
  }

  /** A table of the same schema with another name. */
  TableName sibling(String name) {
    return new TableName(schema, name);
  }

  private static boolean valid(String identifier) {
    return IDENTIFIER.matcher(identifier).matches();
  }

  /** The name as SQL: quoted identifiers, schema-qualified when a schema was given. */
  String sql() {
    return schema == null ? quote(table) : quote(schema) + "." + quote(table);
  }

  /** The table's own name, without schema. */
  String table() {
    return table;
  }

  /** The name as a user writes it: {@code conversation_states} or {@code app.states}. */
  @Override
  public String toString() {
    return schema == null ? table : schema + "." + table;
  }

  private static String quote(String identifier) {
    return '"' + identifier + '"';
  }
}
