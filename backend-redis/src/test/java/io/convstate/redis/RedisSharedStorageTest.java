package io.convstate.redis;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.conformance.SharedStorageCompatibilityKit;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Two redis stores on one Redis Cluster see each other's work at once")
class RedisSharedStorageTest extends SharedStorageCompatibilityKit {

  private String prefix;

  @Override
  protected StateStore createStore(Clock clock) {
    prefix = TestRedis.uniquePrefix("shared");
    return open(clock);
  }

  @Override
  protected StateStore createSecondInstance(Clock clock) {
    return open(clock);
  }

  @Override
  protected String providerType() {
    return RedisStateStoreProvider.TYPE;
  }

  private StateStore open(Clock clock) {
    return new RedisStateStore(StoreConfig.of(TestRedis.options(TestRedis.clusterUrl(), prefix)), clock);
  }

  @AfterEach
  void deleteKeys() {
    TestRedis.deleteKeys(TestRedis.clusterUrl(), prefix);
  }
}
