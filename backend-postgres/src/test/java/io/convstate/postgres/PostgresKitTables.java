package io.convstate.postgres;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The tables of the postgres kit classes: one fresh table per test class, in its own schema. */
final class PostgresKitTables {

  private static final Map<Class<?>, String> TABLES = new ConcurrentHashMap<>();

  private PostgresKitTables() {}

  /** The class's table, created (with its schema) on first use. */
  static String table(Class<?> testClass, String schema, Layout layout) {
    return TABLES.computeIfAbsent(testClass, c -> TestDatabase.get().freshTable(schema, layout));
  }

  /** Options of a store on the table, with the layout, plus more key, value pairs. */
  static Map<String, String> options(String table, Layout layout, String... more) {
    Map<String, String> options = TestDatabase.get().options(table, more);
    options.put("layout", layout.optionValue());
    return options;
  }
}
