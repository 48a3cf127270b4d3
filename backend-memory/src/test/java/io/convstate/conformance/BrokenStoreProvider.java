package io.convstate.conformance;

import io.convstate.memory.MemoryStateStore;
import com.google.auto.service.AutoService;
import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.spi.StateStoreProvider;
import java.time.Clock;
import java.util.Set;

/** Opens whichever broken store {@link BrokenStoresFailTheKitTest} is running, as type {@value #TYPE}. */
@AutoService(StateStoreProvider.class)
public final class BrokenStoreProvider implements StateStoreProvider {

  static final String TYPE = "broken";

  /** A bug of the provider itself, set by the running case: null for a correct provider. */
  static volatile String bug;

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<String> optionKeys() {
    return Set.of();
  }

  @Override
  public Set<String> optionKeys(StoreConfig config) {
    return "accepts unknown options".equals(bug) ? config.keys() : optionKeys();
  }

  @Override
  public StateStore open(StoreConfig config) {
    BrokenStoresFailTheKitTest.Factory factory = BrokenStoresFailTheKitTest.BrokenKit.factory;
    if ("opens a store that cannot record".equals(bug)) {
      return new ForwardingStore(Clock.systemUTC(), config.maxItemsBytes()) {
        @Override
        public io.convstate.Turn record(io.convstate.Turn turn) {
          throw new io.convstate.StorageException("read-only store", null);
        }
      };
    }
    return factory == null
        ? new MemoryStateStore(Clock.systemUTC(), config.maxItemsBytes())
        : factory.open(Clock.systemUTC(), config.maxItemsBytes());
  }
}
