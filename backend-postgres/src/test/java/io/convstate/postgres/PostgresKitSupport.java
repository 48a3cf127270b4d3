package io.convstate.postgres;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.conformance.StateStoreCompatibilityKit;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The kit on the postgres store, each subclass on its own fresh table. */
abstract class PostgresKitSupport extends StateStoreCompatibilityKit {

  private static final Map<Class<?>, String> TABLES = new ConcurrentHashMap<>();

  /** The schema of this class's table. */
  abstract String schema();

  /** Options besides the test database's (key, value pairs). */
  abstract String[] options();

  final String table() {
    return TABLES.computeIfAbsent(getClass(), c -> TestDatabase.get().freshTable(schema()));
  }

  @Override
  protected StateStore createStore(Clock clock) {
    TestDatabase.get().execute("TRUNCATE " + table());
    return new PostgresStateStore(StoreConfig.of(providerConfiguration()), clock);
  }

  @Override
  protected String providerType() {
    return PostgresStateStoreProvider.TYPE;
  }

  @Override
  protected Map<String, String> providerConfiguration() {
    return TestDatabase.get().options(table(), options());
  }

  /** JSONB cannot hold NUL or unpaired surrogates: the store refuses them. */
  @Override
  protected boolean keepsEveryCharacter() {
    return false;
  }
}
