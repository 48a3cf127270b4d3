package io.convstate.redis;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.cached.CachedStateStore;
import io.convstate.cached.CachedStateStoreProvider;
import io.convstate.conformance.StateStoreCompatibilityKit;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The cached store over the redis store (standalone) keeps the state store contract")
class CachedOverRedisCompatibilityTest extends StateStoreCompatibilityKit {

  private String prefix;

  @Override
  protected StateStore createStore(Clock clock) {
    prefix = TestRedis.uniquePrefix("cached");
    return CachedStateStore.builder(
        new RedisStateStore(StoreConfig.of(TestRedis.options(TestRedis.standaloneUrl(), prefix)), clock)).build();
  }

  @Override
  protected String providerType() {
    return CachedStateStoreProvider.TYPE;
  }

  @Override
  protected Map<String, String> providerConfiguration() {
    return Map.of("cache.delegate", RedisStateStoreProvider.TYPE, "connection_string", TestRedis.standaloneUrl(),
        "prefix", prefix);
  }

  @AfterEach
  void deleteKeys() {
    TestRedis.deleteKeys(TestRedis.standaloneUrl(), prefix);
  }
}
