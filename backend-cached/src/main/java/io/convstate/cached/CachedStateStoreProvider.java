package io.convstate.cached;

import com.google.auto.service.AutoService;
import io.convstate.ConfigurationException;
import io.convstate.StateStore;
import io.convstate.StateStoreProviders;
import io.convstate.StateStores;
import io.convstate.StoreConfig;
import io.convstate.spi.StateStoreProvider;
import io.convstate.spi.StoreInspection;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Provides {@link CachedStateStore} as type {@value #TYPE}, over the store that
 * {@code cache.delegate} names; every option not starting with {@code cache.} goes to that store.
 *
 * <pre>
 * type=cached
 * cache.delegate=postgres
 * cache.maximum_weight=512MiB
 * connection_string=postgresql://app:$DB_PASSWORD@db:5432/postgres
 * </pre>
 */
@AutoService(StateStoreProvider.class)
public final class CachedStateStoreProvider implements StateStoreProvider {

  /** The type name: {@value}. */
  public static final String TYPE = "cached";

  static final String PREFIX = "cache.";
  static final String DELEGATE = "cache.delegate";
  static final String MAXIMUM_WEIGHT = "cache.maximum_weight";
  static final String EXPIRE_AFTER_WRITE = "cache.expire_after_write";
  static final String EXPIRE_AFTER_ACCESS = "cache.expire_after_access";
  static final String NEGATIVE_TTL = "cache.negative_ttl";
  static final String RECORD_STATS = "cache.record_stats";
  static final Set<String> KEYS = Set.of(DELEGATE, MAXIMUM_WEIGHT, EXPIRE_AFTER_WRITE, EXPIRE_AFTER_ACCESS, NEGATIVE_TTL, RECORD_STATS);

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<String> optionKeys() {
    return KEYS;
  }

  /** The cache's keys and those of the delegate's type. */
  @Override
  public Set<String> optionKeys(StoreConfig config) {
    Set<String> keys = new HashSet<>(KEYS);
    StoreConfig delegate = delegateConfig(config);
    keys.addAll(StateStoreProviders.load().require(delegate.type()).optionKeys(delegate));
    return keys;
  }

  @Override
  public StateStore open(StoreConfig config) {
    return open(config, StateStoreProviders.load());
  }

  /** Opens the delegate with the providers the caller opened this store with. */
  @Override
  public StateStore open(StoreConfig config, StateStoreProviders providers) {
    CachedStateStore.Builder builder;
    StateStore delegate = StateStores.open(delegateConfig(config), providers);
    try {
      builder = CachedStateStore.builder(delegate)
          .maximumWeight(config.bytes(MAXIMUM_WEIGHT, 256L << 20))
          .expireAfterWrite(positive(config, EXPIRE_AFTER_WRITE, Duration.ofMinutes(10)))
          .expireAfterAccess(positive(config, EXPIRE_AFTER_ACCESS, null))
          .negativeTtl(positive(config, NEGATIVE_TTL, null))
          .recordStats(config.booleanValue(RECORD_STATS, true));
    } catch (RuntimeException e) {
      delegate.close();
      throw e;
    }
    return builder.build();
  }

  /** The delegate's inspection: the cache itself holds nothing worth checking. */
  @Override
  public Optional<StoreInspection> inspect(StoreConfig config, StateStoreProviders providers) {
    StoreConfig delegate = delegateConfig(config);
    StateStoreProvider provider = providers.require(delegate.type());
    return provider.inspect(delegate.requireKnownKeys(provider.optionKeys(delegate)), providers);
  }

  private static StoreConfig delegateConfig(StoreConfig config) {
    String type = config.require(DELEGATE).strip();
    if (type.equals(TYPE)) {
      throw new ConfigurationException("Option 'cache.delegate' cannot be 'cached': name the store to cache, such as postgres");
    }
    return config.forDelegate(type, PREFIX);
  }

  private static Duration positive(StoreConfig config, String key, Duration defaultValue) {
    Duration value = config.duration(key, defaultValue);
    if (value != null && value.isZero()) {
      throw new ConfigurationException("Option '" + key + "' must be longer than zero; leave it out for the default");
    }
    return value;
  }
}
