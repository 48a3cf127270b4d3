package io.convstate.redis;

import com.google.auto.service.AutoService;
import io.convstate.StateStore;
import io.convstate.StateStoreProviders;
import io.convstate.StoreConfig;
import io.convstate.spi.StateStoreProvider;
import io.convstate.spi.StoreInspection;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * Provides {@link RedisStateStore} as type {@value #TYPE}. Options: {@code connection_string}
 * (required), {@code user}, {@code password}, {@code cluster}, {@code prefix}, {@code shards},
 * {@code retention}, {@code connect_timeout}, {@code command_timeout}, {@code wait_replicas},
 * {@code wait_timeout}, {@code cluster.refresh_period}, {@code tls.verify}, {@code tls.ca_file};
 * see the README.
 */
@AutoService(StateStoreProvider.class)
public final class RedisStateStoreProvider implements StateStoreProvider {

  /** The type name: {@value}. */
  public static final String TYPE = "redis";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<String> optionKeys() {
    return RedisOptions.KEYS;
  }

  @Override
  public StateStore open(StoreConfig config) {
    return new RedisStateStore(config, Clock.systemUTC());
  }

  /** {@link RedisAdmin}: the servers' settings checked, and what the prefix holds. */
  @Override
  public Optional<StoreInspection> inspect(StoreConfig config, StateStoreProviders providers) {
    return Optional.of(RedisAdmin.connect(config));
  }
}
