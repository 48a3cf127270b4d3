package io.convstate.redis;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.conformance.StateStoreCompatibilityKit;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;

/** The kit on a Redis server, each test under a prefix of its own, deleted afterwards. */
abstract class RedisKitSupport extends StateStoreCompatibilityKit {

  private String prefix;

  /** The server's URL. */
  abstract String url();

  @Override
  protected StateStore createStore(Clock clock) {
    prefix = TestRedis.uniquePrefix(getClass().getSimpleName());
    return new RedisStateStore(StoreConfig.of(TestRedis.options(url(), prefix)), clock);
  }

  @Override
  protected String providerType() {
    return RedisStateStoreProvider.TYPE;
  }

  /** The same server, under the prefix of the test's store. */
  @Override
  protected Map<String, String> providerConfiguration() {
    return Map.of("connection_string", url(), "prefix", prefix);
  }

  @AfterEach
  void deleteKeys() {
    if (prefix != null) {
      TestRedis.deleteKeys(url(), prefix);
    }
  }
}
