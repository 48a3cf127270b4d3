package io.convstate;

import io.convstate.spi.StateStoreProvider;
import java.util.Set;

/** Providers for the discovery tests, registered only through {@link StateStoreProvidersTest}'s loaders. */
final class TestProviders {

  private TestProviders() {}

  public static class Alpha implements StateStoreProvider {
    @Override
    public String type() {
      return "alpha";
    }

    @Override
    public Set<String> optionKeys() {
      return Set.of("alpha.size");
    }

    @Override
    public StateStore open(StoreConfig config) {
      config.intValue("alpha.size", 1, 1, 10);
      return new MapStateStore();
    }
  }

  public static class AlphaTwin extends Alpha {}

  public static class Beta extends Alpha {
    @Override
    public String type() {
      return "beta";
    }
  }

  public static class FailsToLoad extends Alpha {
    public FailsToLoad() {
      throw new IllegalStateException("missing native library");
    }
  }
}
