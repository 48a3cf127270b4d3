package io.convstate.redis;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.conformance.FaultyProxy;
import io.convstate.conformance.StorageFaults;
import io.convstate.conformance.StorageFaultsCompatibilityKit;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The redis store, through a proxy the test cuts, fails typed and recovers by itself")
class RedisStorageFaultsTest extends StorageFaultsCompatibilityKit {

  private static FaultyProxy proxy;
  private String prefix;

  @BeforeAll
  static void startProxy() {
    proxy = FaultyProxy.start("127.0.0.1", TestRedis.port(TestRedis.standaloneUrl()));
  }

  @AfterAll
  static void stopProxy() {
    proxy.close();
  }

  @Override
  protected StateStore createStore(Clock clock) {
    prefix = TestRedis.uniquePrefix("faults");
    return new RedisStateStore(StoreConfig.of(TestRedis.options("redis://127.0.0.1:" + proxy.port(), prefix,
        "command_timeout", "1s", "connect_timeout", "500ms")), clock);
  }

  @Override
  protected String providerType() {
    return RedisStateStoreProvider.TYPE;
  }

  @Override
  protected StorageFaults storageFaults() {
    return proxy;
  }

  @AfterEach
  void deleteKeys() {
    TestRedis.deleteKeys(TestRedis.standaloneUrl(), prefix);
  }
}
