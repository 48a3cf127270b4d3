package io.convstate.cached;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.conformance.StateStoreCompatibilityKit;
import io.convstate.postgres.Layout;
import io.convstate.postgres.PostgresStateStore;
import io.convstate.postgres.TestDatabase;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kit on the cached store over postgres, each subclass on its own fresh table of its layout,
 * emptied before each test.
 */
abstract class CachedOverPostgresKitSupport extends StateStoreCompatibilityKit {

  private static final Map<Class<?>, String> TABLES = new ConcurrentHashMap<>();

  /** The schema of this class's table. */
  abstract String schema();

  /** The layout of this class's table. */
  abstract Layout layout();

  private String table() {
    return TABLES.computeIfAbsent(getClass(), c -> TestDatabase.get().freshTable(schema(), layout()));
  }

  @Override
  protected StateStore createStore(Clock clock) {
    TestDatabase.get().truncate(table(), layout());
    Map<String, String> options = TestDatabase.get().options(table(), "layout", layout().optionValue());
    return CachedStateStore.builder(new PostgresStateStore(StoreConfig.of(options), clock)).build();
  }

  @Override
  protected String providerType() {
    return CachedStateStoreProvider.TYPE;
  }

  @Override
  protected Map<String, String> providerConfiguration() {
    Map<String, String> options = TestDatabase.get().options(table(), "layout", layout().optionValue());
    options.remove("type");
    options.put("cache.delegate", "postgres");
    return options;
  }

  /** As the postgres store: jsonb cannot hold NUL, nor pgjdbc an unpaired surrogate. */
  @Override
  protected boolean keepsEveryCharacter() {
    return false;
  }
}
