package io.convstate.conformance;

import io.convstate.StateStore;
import io.convstate.memory.MemoryStateStoreProvider;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;

/** The failure tier on the memory store behind a switch that cuts it off as a remote storage would be. */
@DisplayName("The memory store behind an outage switch keeps the failure contract")
class MemoryBehindOutageFaultsTest extends StorageFaultsCompatibilityKit {

  @Override
  protected StateStore createStore(Clock clock) {
    return new ForwardingStore(clock, maxItemsBytes());
  }

  @Override
  protected String providerType() {
    return MemoryStateStoreProvider.TYPE;
  }

  @Override
  protected StorageFaults storageFaults() {
    return ((ForwardingStore) store).outage;
  }
}
