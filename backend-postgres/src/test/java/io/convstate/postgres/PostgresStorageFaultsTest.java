package io.convstate.postgres;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.conformance.FaultyProxy;
import io.convstate.conformance.StorageFaults;
import io.convstate.conformance.StorageFaultsCompatibilityKit;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;

/** The failure tier: the postgres store reaches the server through a proxy the kit cuts. */
@DisplayName("The postgres store behind a failing network keeps the failure contract")
class PostgresStorageFaultsTest extends StorageFaultsCompatibilityKit {

  private static final FaultyProxy PROXY = FaultyProxy.start(TestDatabase.get().host(), TestDatabase.get().port());

  String schema() {
    return "kit_faults";
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
    return new PostgresStateStore(StoreConfig.of(PostgresKitTables.options(table(), layout(),
        "connection_string", TestDatabase.get().urlVia("127.0.0.1", PROXY.port()),
        "pool.connection_timeout", "1s")), clock);
  }

  @Override
  protected String providerType() {
    return PostgresStateStoreProvider.TYPE;
  }

  @Override
  protected StorageFaults storageFaults() {
    return PROXY;
  }
}
