package io.convstate.conformance;

import io.convstate.StateStore;
import io.convstate.memory.MemoryStateStoreProvider;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;

/** The shared-storage tier on two decorators over one memory store. */
@DisplayName("Two instances over one memory store keep the shared-storage contract")
class MemoryTwoInstancesTest extends SharedStorageCompatibilityKit {

  @Override
  protected StateStore createStore(Clock clock) {
    return new ForwardingStore(clock, maxItemsBytes());
  }

  @Override
  protected String providerType() {
    return MemoryStateStoreProvider.TYPE;
  }

  @Override
  protected StateStore createSecondInstance(Clock clock) {
    return ((ForwardingStore) store).secondInstance();
  }
}
