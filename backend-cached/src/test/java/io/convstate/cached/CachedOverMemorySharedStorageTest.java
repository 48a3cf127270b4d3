package io.convstate.cached;

import io.convstate.StateStore;
import io.convstate.conformance.SharedStorageCompatibilityKit;
import io.convstate.memory.MemoryStateStore;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Two cached stores over one memory store keep the shared-storage contract within expire_after_write")
class CachedOverMemorySharedStorageTest extends SharedStorageCompatibilityKit {

  /** The window in which one instance may serve what the other deleted or cleaned up. */
  private static final Duration EXPIRE_AFTER_WRITE = Duration.ofMillis(200);

  private MemoryStateStore shared;

  @Override
  protected StateStore createStore(Clock clock) {
    shared = new MemoryStateStore(clock, maxItemsBytes());
    return cached(shared);
  }

  @Override
  protected StateStore createSecondInstance(Clock clock) {
    return cached(shared);
  }

  /** The expiry, declared with room for a busy machine's scheduling (the kit polls in real time). */
  @Override
  protected Duration visibilityDelay() {
    return EXPIRE_AFTER_WRITE.plusMillis(300);
  }

  @Override
  protected String providerType() {
    return CachedStateStoreProvider.TYPE;
  }

  private static StateStore cached(MemoryStateStore delegate) {
    return CachedStateStore.builder(delegate).expireAfterWrite(EXPIRE_AFTER_WRITE).build();
  }
}
