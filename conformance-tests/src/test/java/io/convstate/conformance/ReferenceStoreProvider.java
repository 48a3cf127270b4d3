package io.convstate.conformance;

import com.google.auto.service.AutoService;
import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.spi.StateStoreProvider;
import java.time.Clock;
import java.util.Set;

/** Registers {@link ReferenceStore} as type {@value #TYPE}, for the kit's discovery tests. */
@AutoService(StateStoreProvider.class)
public final class ReferenceStoreProvider implements StateStoreProvider {

  static final String TYPE = "reference";

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
    return new ReferenceStore(Clock.systemUTC(), config.maxItemsBytes());
  }
}
