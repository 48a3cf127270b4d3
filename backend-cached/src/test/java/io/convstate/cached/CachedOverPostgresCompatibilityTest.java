package io.convstate.cached;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.conformance.StateStoreCompatibilityKit;
import io.convstate.postgres.PostgresStateStore;
import io.convstate.postgres.TestDatabase;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The cached store over postgres keeps the state store contract")
class CachedOverPostgresCompatibilityTest extends StateStoreCompatibilityKit {

  private static String table;

  @BeforeAll
  static void createTable() {
    table = TestDatabase.get().freshTable("kit_cached");
  }

  @Override
  protected StateStore createStore(Clock clock) {
    TestDatabase.get().execute("TRUNCATE " + table);
    return CachedStateStore.builder(new PostgresStateStore(StoreConfig.of(TestDatabase.get().options(table)), clock)).build();
  }

  @Override
  protected String providerType() {
    return CachedStateStoreProvider.TYPE;
  }

  @Override
  protected Map<String, String> providerConfiguration() {
    Map<String, String> options = new HashMap<>(TestDatabase.get().options(table));
    options.remove("type");
    options.put("cache.delegate", "postgres");
    return options;
  }

  @Override
  protected boolean keepsEveryCharacter() {
    return false;
  }
}
