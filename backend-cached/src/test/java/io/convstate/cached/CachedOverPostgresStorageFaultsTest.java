package io.convstate.cached;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.conformance.FaultyProxy;
import io.convstate.conformance.StorageFaults;
import io.convstate.conformance.StorageFaultsCompatibilityKit;
import io.convstate.postgres.Layout;
import io.convstate.postgres.PostgresStateStore;
import io.convstate.postgres.TestDatabase;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;

/**
 * The failure tier on the near cache over postgres, the database reached through a proxy the kit
 * cuts: a cached history may still be served, but no failure may read as an absent response.
 */
@DisplayName("The cached store over a postgres behind a failing network keeps the failure contract")
class CachedOverPostgresStorageFaultsTest extends StorageFaultsCompatibilityKit {

  private static final FaultyProxy PROXY = FaultyProxy.start(TestDatabase.get().host(), TestDatabase.get().port());
  private static String table;

  private static synchronized String table() {
    if (table == null) {
      table = TestDatabase.get().freshTable("kit_cached_faults", Layout.TURNS);
    }
    return table;
  }

  @Override
  protected StateStore createStore(Clock clock) {
    TestDatabase.get().truncate(table(), Layout.TURNS);
    Map<String, String> options = TestDatabase.get().options(table());
    options.put("connection_string", TestDatabase.get().urlVia("127.0.0.1", PROXY.port()));
    options.put("pool.connection_timeout", "1s");
    return CachedStateStore.builder(new PostgresStateStore(StoreConfig.of(options), clock)).build();
  }

  @Override
  protected String providerType() {
    return CachedStateStoreProvider.TYPE;
  }

  @Override
  protected StorageFaults storageFaults() {
    return PROXY;
  }
}
