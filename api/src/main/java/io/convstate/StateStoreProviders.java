package io.convstate;

import io.convstate.spi.StateStoreProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The {@link StateStoreProvider}s found on a class path, by type name. A provider that fails to
 * load is recorded in {@link #failures()} and the others stay usable; two providers claiming one
 * type name make that type unusable, with an error naming both classes.
 *
 * <p>Immutable and thread-safe once loaded.
 */
public final class StateStoreProviders {

  /** Artifacts of the project's own backends, named in the error for an unknown type. */
  private static final Map<String, String> KNOWN_ARTIFACTS =
      Map.of(
          "memory", "io.convstate:convstate-backend-memory",
          "postgres", "io.convstate:convstate-backend-postgres",
          "cached", "io.convstate:convstate-backend-cached",
          "redis", "io.convstate:convstate-backend-redis");

  private final Map<String, StateStoreProvider> byType;
  private final Map<String, List<String>> duplicates;
  private final List<String> failures;

  private StateStoreProviders(
      Map<String, StateStoreProvider> byType, Map<String, List<String>> duplicates, List<String> failures) {
    this.byType = Collections.unmodifiableMap(byType);
    this.duplicates = Collections.unmodifiableMap(duplicates);
    this.failures = Collections.unmodifiableList(failures);
  }

  /** The providers visible to the thread's context class loader (or this class's loader). */
  public static StateStoreProviders load() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return load(loader != null ? loader : StateStoreProviders.class.getClassLoader());
  }

  /** The providers visible to {@code loader}. */
  public static StateStoreProviders load(ClassLoader loader) {
    Map<String, StateStoreProvider> byType = new TreeMap<>();
    Map<String, List<String>> duplicates = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    Iterator<StateStoreProvider> iterator = ServiceLoader.load(StateStoreProvider.class, loader).iterator();
    // Bounded: after an error the iterator makes a best effort to go on, which might not advance.
    for (int attempts = 0; attempts < 1_000; attempts++) {
      StateStoreProvider provider;
      String type;
      try {
        if (!iterator.hasNext()) {
          break;
        }
        provider = iterator.next();
        type = provider.type();
      } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
        failures.add(describe(e));
        continue;
      }
      StateStoreProvider existing = byType.putIfAbsent(type, provider);
      if (existing != null) {
        duplicates.computeIfAbsent(type, t -> new ArrayList<>(List.of(existing.getClass().getName())))
            .add(provider.getClass().getName());
      }
    }
    duplicates.keySet().forEach(byType::remove);
    return new StateStoreProviders(byType, duplicates, failures);
  }

  /** The usable type names, in order. */
  public List<String> types() {
    return List.copyOf(byType.keySet());
  }

  /** One line for each provider that failed to load, with its cause. */
  public List<String> failures() {
    return failures;
  }

  /**
   * The provider of {@code type}.
   *
   * @throws ConfigurationException when no provider has that type (listing the available types,
   *     the closest one, and the artifact that provides it) or when several do (naming them)
   */
  public StateStoreProvider require(String type) {
    StateStoreProvider provider = byType.get(type);
    if (provider != null) {
      return provider;
    }
    List<String> claimants = duplicates.get(type);
    if (claimants != null) {
      throw new ConfigurationException(
          "Several providers claim store type '" + type + "': " + String.join(" and ", claimants)
              + ". Keep only one of their jars on the class path.");
    }
    StringBuilder message = new StringBuilder("Unknown store type '").append(type).append("'. ");
    message.append(byType.isEmpty() ? "No store provider was found on the class path." : "Available: " + String.join(", ", byType.keySet()) + ".");
    String closest = StoreConfig.closest(type, KNOWN_ARTIFACTS.keySet());
    String artifact = KNOWN_ARTIFACTS.get(closest != null ? closest : type);
    if (closest != null && !closest.equals(type)) {
      message.append(" Did you mean '").append(closest).append("'?");
    }
    if (artifact != null && !byType.containsKey(closest != null ? closest : type)) {
      message.append(" Type '").append(closest != null ? closest : type).append("' is provided by ").append(artifact).append(", which is not on the class path.");
    }
    if (!failures.isEmpty()) {
      message.append(" Providers that failed to load: ").append(String.join("; ", failures));
    }
    throw new ConfigurationException(message.toString());
  }

  private static String describe(Throwable e) {
    StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
    for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
      text.append(" (caused by ").append(cause).append(')');
    }
    return text.toString();
  }
}
