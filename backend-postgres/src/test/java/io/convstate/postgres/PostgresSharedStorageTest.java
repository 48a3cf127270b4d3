package io.convstate.postgres;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.conformance.SharedStorageCompatibilityKit;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;

/** The shared-storage tier: two postgres stores (two nodes) on one turns table. */
@DisplayName("Two postgres stores on one turns table keep the shared-storage contract")
class PostgresSharedStorageTest extends SharedStorageCompatibilityKit {

  String schema() {
    return "kit_shared";
  }

  Layout layout() {
    return Layout.TURNS;
  }

  private String table() {
    return PostgresKitTables.table(getClass(), schema(), layout());
  }

  @Override
  protected StateStore createStore(Clock clock) {
    TestDatabase.get().truncate(table(), layout());
    return createSecondInstance(clock);
  }

  @Override
  protected StateStore createSecondInstance(Clock clock) {
    return new PostgresStateStore(StoreConfig.of(PostgresKitTables.options(table(), layout())), clock);
  }

  @Override
  protected String providerType() {
    return PostgresStateStoreProvider.TYPE;
  }
}
