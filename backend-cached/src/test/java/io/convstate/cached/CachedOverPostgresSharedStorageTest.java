package io.convstate.cached;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.conformance.SharedStorageCompatibilityKit;
import io.convstate.postgres.Layout;
import io.convstate.postgres.PostgresStateStore;
import io.convstate.postgres.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;

/**
 * The shared-storage tier on two cached stores over postgres (two nodes) on one table. The caches
 * keep their default {@code expire_after_write} of 10 minutes, so only cross-instance invalidation
 * (LISTEN/NOTIFY) can keep the declared one-second window.
 */
@DisplayName("Two cached stores over one postgres table see each other's deletes and cleanups within a second")
class CachedOverPostgresSharedStorageTest extends SharedStorageCompatibilityKit {

  private static String table;

  private static synchronized String table() {
    if (table == null) {
      table = TestDatabase.get().freshTable("kit_cached_shared", Layout.TURNS);
    }
    return table;
  }

  @Override
  protected StateStore createStore(Clock clock) {
    TestDatabase.get().truncate(table(), Layout.TURNS);
    return createSecondInstance(clock);
  }

  @Override
  protected StateStore createSecondInstance(Clock clock) {
    return CachedStateStore.builder(new PostgresStateStore(StoreConfig.of(options()), clock)).build();
  }

  @Override
  protected Duration visibilityDelay() {
    return Duration.ofSeconds(1);
  }

  @Override
  protected String providerType() {
    return CachedStateStoreProvider.TYPE;
  }

  @Override
  protected Map<String, String> providerConfiguration() {
    Map<String, String> options = options();
    options.remove("type");
    options.put("cache.delegate", "postgres");
    return options;
  }

  private static Map<String, String> options() {
    return TestDatabase.get().options(table(), "layout", Layout.TURNS.optionValue());
  }
}
