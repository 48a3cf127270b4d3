package io.convstate.conformance;

import io.convstate.StateStore;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The reference store passes the whole kit")
class ReferenceStoreCompatibilityTest extends StateStoreCompatibilityKit {

  @Override
  protected StateStore createStore(Clock clock) {
    return new ReferenceStore(clock, maxItemsBytes());
  }

  @Override
  protected String providerType() {
    return ReferenceStoreProvider.TYPE;
  }
}
