package io.convstate.memory;

import com.google.auto.service.AutoService;
import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.spi.StateStoreProvider;
import java.time.Clock;
import java.util.Set;

/** Provides {@link MemoryStateStore} as type {@value #TYPE}. It reads only the common options. */
@AutoService(StateStoreProvider.class)
public final class MemoryStateStoreProvider implements StateStoreProvider {

  /** The type name: {@value}. */
  public static final String TYPE = "memory";

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
    return new MemoryStateStore(Clock.systemUTC(), config.maxItemsBytes());
  }
}
