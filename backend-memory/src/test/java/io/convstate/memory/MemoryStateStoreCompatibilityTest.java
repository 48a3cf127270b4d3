package io.convstate.memory;

import io.convstate.StateStore;
import io.convstate.conformance.StateStoreCompatibilityKit;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The memory store keeps the state store contract")
class MemoryStateStoreCompatibilityTest extends StateStoreCompatibilityKit {

  @Override
  protected StateStore createStore(Clock clock) {
    return new MemoryStateStore(clock, maxItemsBytes());
  }

  @Override
  protected String providerType() {
    return MemoryStateStoreProvider.TYPE;
  }
}
