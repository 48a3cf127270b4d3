package io.convstate.spi;

import io.convstate.StateStore;
import io.convstate.StoreConfig;
import java.util.Set;

/**
 * Makes one type of {@link StateStore} from configuration. Found with {@link java.util.ServiceLoader};
 * register an implementation with {@code @AutoService(StateStoreProvider.class)} (or a
 * {@code META-INF/services} file, and {@code provides} in {@code module-info} where there is one).
 *
 * <p>An implementation has a public no-argument constructor that does no I/O, and is thread-safe.
 */
public interface StateStoreProvider {

  /**
   * The type name that selects this provider in configuration ({@code type=...}): lower case,
   * unique among the providers on the class path, stable across releases.
   */
  String type();

  /**
   * The option keys this provider reads, besides {@link StoreConfig#COMMON_KEYS}. Any other key is
   * rejected before {@link #open} is called.
   */
  Set<String> optionKeys();

  /**
   * The option keys this provider reads for this configuration. A decorator whose options depend
   * on the store it wraps overrides this; others keep the default, {@link #optionKeys()}.
   */
  default Set<String> optionKeys(StoreConfig config) {
    return optionKeys();
  }

  /**
   * Opens a store. The configuration holds only known keys, with environment references resolved.
   *
   * @throws io.convstate.ConfigurationException when an option is missing or invalid
   * @throws io.convstate.StorageUnavailableException when the storage cannot be reached
   */
  StateStore open(StoreConfig config);

  /**
   * Opens a store, with the providers the caller opened it through: a decorator opens the store
   * it wraps with them instead of searching the class path again. Others keep the default,
   * {@link #open(StoreConfig)}.
   */
  default StateStore open(StoreConfig config, io.convstate.StateStoreProviders providers) {
    return open(config);
  }

  /**
   * Opens an inspection of the storage {@code config} describes (an operator's {@code stats} and
   * {@code verify}); empty when this backend offers none, the default. The configuration holds
   * only known keys, as for {@link #open}.
   *
   * @throws io.convstate.ConfigurationException when an option is missing or invalid
   * @throws io.convstate.StorageUnavailableException when the storage cannot be reached
   */
  default java.util.Optional<StoreInspection> inspect(StoreConfig config, io.convstate.StateStoreProviders providers) {
    return java.util.Optional.empty();
  }
}
