package io.convstate.conformance;

/**
 * Breaks and restores the storage behind a store, for the kit's failure tests: a proxy that stops
 * forwarding, a stopped server, a closed pool -- the backend's test decides how. Implementations
 * are called from the test thread only.
 */
public interface StorageFaults {

  /** Makes the storage unreachable; returns once every later call of the store must fail. */
  void breakStorage();

  /** Makes the storage reachable again; the store must then recover by itself. */
  void restoreStorage();
}
