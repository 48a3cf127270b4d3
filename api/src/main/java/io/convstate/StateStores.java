package io.convstate;

import io.convstate.spi.StateStoreProvider;
import java.util.Map;
import java.util.Properties;

/**
 * Opens a {@link StateStore} from configuration: the {@code type} key chooses a provider found with
 * {@link java.util.ServiceLoader} ({@code memory} when absent), which reads its own options.
 *
 * <pre>{@code
 * StateStore store = StateStores.open(Map.of(
 *     "type", "postgres",
 *     "connection_string", "postgresql://app:$DB_PASSWORD@db.example.com:5432/postgres"));
 * }</pre>
 *
 * <p>Thread-safe. Each call opens a new store; the caller closes it.
 */
public final class StateStores {

  private StateStores() {}

  /**
   * Opens a store; {@code $VAR} references are resolved from the process environment.
   *
   * @throws ConfigurationException for an unknown type or key, a missing variable, a bad value
   * @throws StorageUnavailableException when the backend cannot reach its storage
   */
  public static StateStore open(Map<String, ?> config) {
    return open(StoreConfig.of(config));
  }

  /** As {@link #open(Map)}, from properties. */
  public static StateStore open(Properties config) {
    return open(StoreConfig.of(config));
  }

  /**
   * Opens the store the process environment describes with {@code CONVSTATE_*} variables
   * ({@code CONVSTATE_TYPE}, {@code CONVSTATE_CONNECTION_STRING}, ...); the memory store when none
   * is set. See {@link StoreConfig#fromEnvironment}.
   */
  public static StateStore openFromEnvironment() {
    return open(StoreConfig.fromEnvironment(System.getenv()));
  }

  /**
   * Opens a store with the providers visible to the context class loader.
   *
   * @throws ConfigurationException for an unknown type or key, or a bad value
   * @throws StorageUnavailableException when the backend cannot reach its storage
   */
  public static StateStore open(StoreConfig config) {
    return open(config, StateStoreProviders.load());
  }

  /** As {@link #open(StoreConfig)}, with the given providers. */
  public static StateStore open(StoreConfig config, StateStoreProviders providers) {
    StateStoreProvider provider = providers.require(config.type());
    StoreConfig checked = config.requireKnownKeys(provider.optionKeys(config));
    checked.maxItemsBytes(); // reject a malformed common option before the backend opens anything
    return provider.open(checked, providers);
  }
}
