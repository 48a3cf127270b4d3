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

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<String> optionKeys() {
    return Set.of();
  }

  @Override
  public StateStore open(StoreConfig config) {
    BrokenStoresFailTheKitTest.Factory factory = BrokenStoresFailTheKitTest.BrokenKit.factory;
    return factory == null
        ? new MemoryStateStore(Clock.systemUTC(), config.maxItemsBytes())
        : factory.open(Clock.systemUTC(), config.maxItemsBytes());
  }
}
