package io.convstate.memory;

import com.google.auto.service.AutoService;
import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.spi.StateStoreProvider;
import java.time.Clock;
import java.util.Set;

/**
 * Provides {@link MemoryStateStore} as type {@value #TYPE}. Options besides the common ones:
 * {@code maximum_weight} (bytes the turns held may weigh before the least recently active
 * conversations are evicted; {@code 256MiB} by default) and {@code retention} (how long an inactive
 * conversation is kept, such as {@code 7d}; kept until evicted by default).
 */
@AutoService(StateStoreProvider.class)
public final class MemoryStateStoreProvider implements StateStoreProvider {

  /** The type name: {@value}. */
  public static final String TYPE = "memory";

  @Override
  public String type() {
    return TYPE;
  }

  static final String MAXIMUM_WEIGHT = "maximum_weight";
  static final String RETENTION = "retention";

  @Override
  public Set<String> optionKeys() {
    return Set.of(MAXIMUM_WEIGHT, RETENTION);
  }

  @Override
  public StateStore open(StoreConfig config) {
    java.time.Duration retention = config.duration(RETENTION, null);
    if (retention != null && (retention.isZero() || retention.isNegative())) {
      throw new io.convstate.ConfigurationException("Option 'retention' must be positive, such as 7d; was '"
          + config.get(RETENTION).orElse("") + "'");
    }
    long maximumWeight = config.bytes(MAXIMUM_WEIGHT, MemoryStateStore.DEFAULT_MAXIMUM_WEIGHT);
    if (maximumWeight < config.maxItemsBytes()) {
      throw new io.convstate.ConfigurationException("Option 'maximum_weight' (" + maximumWeight
          + " bytes) is below max_items_bytes (" + config.maxItemsBytes() + "): one turn could evict everything");
    }
    return new MemoryStateStore(Clock.systemUTC(), config.maxItemsBytes(), maximumWeight, retention);
  }
}
