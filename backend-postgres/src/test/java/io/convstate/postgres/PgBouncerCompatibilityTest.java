package io.convstate.postgres;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.conformance.StateStoreCompatibilityKit;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

/** The whole kit through PgBouncer in transaction mode, as Supabase's transaction pooler runs. */
@DisplayName("The postgres store keeps the contract through PgBouncer in transaction mode")
class PgBouncerCompatibilityTest extends StateStoreCompatibilityKit {

  private static final String SCHEMA = "kit_pgbouncer";
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
    return TestDatabase.get().options(table, "connection_string", TestDatabase.pgbouncerUrl(), "pooler", "transaction");
  }

  @Override
  protected boolean keepsEveryCharacter() {
    return false;
  }
}
