package io.convstate.metrics;

import io.convstate.StateStore;
import io.convstate.conformance.StateStoreCompatibilityKit;
import io.convstate.memory.MemoryStateStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The metered memory store keeps the state store contract")
class MeteredStateStoreCompatibilityTest extends StateStoreCompatibilityKit {

  @Override
  protected StateStore createStore(Clock clock) {
    return MeteredStateStore.wrap(new MemoryStateStore(clock, maxItemsBytes()), new SimpleMeterRegistry());
  }

  @Override
  protected String providerType() {
    return "memory";
  }
}
