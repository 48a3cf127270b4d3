package io.convstate.cached;

import io.convstate.StateStore;
import io.convstate.conformance.StateStoreCompatibilityKit;
import io.convstate.memory.MemoryStateStore;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The cached store over memory keeps the state store contract")
class CachedOverMemoryCompatibilityTest extends StateStoreCompatibilityKit {

  @Override
  protected StateStore createStore(Clock clock) {
    return CachedStateStore.builder(new MemoryStateStore(clock, maxItemsBytes())).build();
  }

  @Override
  protected String providerType() {
    return CachedStateStoreProvider.TYPE;
  }

  @Override
  protected Map<String, String> providerConfiguration() {
    return Map.of("cache.delegate", "memory", "cache.maximum_weight", "64MiB");
  }
}
