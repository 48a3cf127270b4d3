package io.convstate.postgres;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.conformance.StateStoreCompatibilityKit;
import java.time.Clock;
import java.util.Map;

/** The kit on the postgres store, each subclass on its own fresh table of its layout, emptied before each test. */
abstract class PostgresKitSupport extends StateStoreCompatibilityKit {

  /** The schema of this class's table. */
  abstract String schema();

  /** The layout of this class's table. */
  Layout layout() {
    return Layout.TURNS;
  }

  /** Options besides the test database's and the layout (key, value pairs). */
  abstract String[] options();

  final String table() {
    return PostgresKitTables.table(getClass(), schema(), layout());
  }

  @Override
  protected StateStore createStore(Clock clock) {
    TestDatabase.get().truncate(table(), layout());
    return new PostgresStateStore(StoreConfig.of(providerConfiguration()), clock);
  }

  @Override
  protected String providerType() {
    return PostgresStateStoreProvider.TYPE;
  }

  @Override
  protected Map<String, String> providerConfiguration() {
    return PostgresKitTables.options(table(), layout(), options());
  }

  /** jsonb cannot hold NUL, and neither jsonb nor pgjdbc an unpaired surrogate: the store refuses them. */
  @Override
  protected boolean keepsEveryCharacter() {
    return false;
  }
}
