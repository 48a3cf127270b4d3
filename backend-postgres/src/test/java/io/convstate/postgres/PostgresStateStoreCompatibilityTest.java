package io.convstate.postgres;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.conformance.StateStoreCompatibilityKit;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The postgres store keeps the state store contract")
class PostgresStateStoreCompatibilityTest extends StateStoreCompatibilityKit {

  private static final String SCHEMA = "kit_direct";
  private static String table;

  @BeforeAll
  static void createTable() {
    table = TestDatabase.get().freshTable(SCHEMA);
  }

  @Override
  protected StateStore createStore(Clock clock) {
    TestDatabase.get().execute("TRUNCATE " + table);
    return new PostgresStateStore(StoreConfig.of(providerConfiguration()), clock);
  }

  @Override
  protected String providerType() {
    return PostgresStateStoreProvider.TYPE;
  }

  @Override
  protected Map<String, String> providerConfiguration() {
    return TestDatabase.get().options(table);
  }

  @Override
  protected boolean keepsEveryCharacter() {
    return false;
  }
}
