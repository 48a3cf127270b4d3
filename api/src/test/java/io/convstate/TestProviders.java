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
      return new OpenedStore();
    }
  }

  /** What the test providers open: discovery tests only check that one was opened. */
  static final class OpenedStore implements StateStore {
    @Override
    public Turn record(Turn turn) {
      throw new UnsupportedOperationException("discovery tests only open stores");
    }

    @Override
    public void checkRecordable(Turn turn) {}

    @Override
    public java.util.Optional<History> history(String owner, String responseId) {
      return java.util.Optional.empty();
    }

    @Override
    public boolean delete(String owner, String responseId) {
      return false;
    }

    @Override
    public long deleteInactiveBefore(java.time.Instant cutoff) {
      return 0;
    }

    @Override
    public void close() {}
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
