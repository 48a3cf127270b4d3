package io.convstate.metrics;

import com.github.benmanes.caffeine.cache.Cache;
import com.zaxxer.hikari.HikariDataSource;
import io.convstate.StateStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Binds convstate's meters to a Micrometer registry: the per-call timers of any store, the
 * connection pool of a PostgreSQL store, the near cache of a cached store.
 *
 * <p>The pool and cache methods take what the backends expose
 * ({@code PostgresStateStore.dataSource()}, {@code CachedStateStore.cache()}), so this module
 * depends on no backend. They need HikariCP, respectively Caffeine, on the classpath; the host that
 * uses those backends has them. Every method is safe to call from any thread.
 */
public final class ConvstateMetrics {

  /** The default {@code cache} tag of the near cache's meters. */
  public static final String CACHE_NAME = "convstate";

  private ConvstateMetrics() {}

  /**
   * Times every call of a store; the same as {@link MeteredStateStore#wrap(StateStore,
   * MeterRegistry, Tag...)}. Use the returned store in place of the given one.
   *
   * @throws NullPointerException when an argument is null
   */
  public static MeteredStateStore bindTo(StateStore store, MeterRegistry registry, Tag... extraTags) {
    return MeteredStateStore.wrap(store, registry, extraTags);
  }

  /**
   * Publishes a HikariCP pool's metrics ({@code hikaricp.connections.*}, tagged {@code pool} with
   * the pool's name) through HikariCP's own Micrometer tracker. Works on a running pool; HikariCP
   * accepts one registry per pool, so a pool that already has another registry or a tracker
   * factory is left alone.
   *
   * @param dataSource a store's DataSource ({@code PostgresStateStore.dataSource()}); not null
   * @return true when the pool's metrics are published to this registry (now or already); false
   *     when the DataSource is not a HikariCP pool (a host's own DataSource: bind its pool where it
   *     is created) or the pool already reports to another registry or a tracker factory
   * @throws NullPointerException when an argument is null
   */
  public static boolean bindPool(DataSource dataSource, MeterRegistry registry) {
    Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(registry, "registry");
    if (!(dataSource instanceof HikariDataSource)) {
      return false;
    }
    HikariDataSource pool = (HikariDataSource) dataSource;
    synchronized (pool) {
      if (pool.getMetricRegistry() != null || pool.getMetricsTrackerFactory() != null) {
        return pool.getMetricRegistry() == registry;
      }
      pool.setMetricRegistry(registry);
      return true;
    }
  }

  /**
   * Publishes a Caffeine cache's size, hits, misses, evictions and load times through Micrometer's
   * {@link CaffeineCacheMetrics}, tagged {@code cache} = {@value #CACHE_NAME}. Hit and miss counts
   * are only recorded by a cache built with statistics on (the cached store's
   * {@code record_stats}).
   *
   * @param cache a store's cache ({@code CachedStateStore.cache()}); not null
   * @throws NullPointerException when an argument is null
   */
  public static void bindCache(Cache<?, ?> cache, MeterRegistry registry, Tag... extraTags) {
    bindCache(cache, registry, CACHE_NAME, extraTags);
  }

  /**
   * As {@link #bindCache(Cache, MeterRegistry, Tag...)}, tagged {@code cache} with the given name
   * (to tell two caches apart).
   *
   * @throws NullPointerException when an argument is null
   */
  public static void bindCache(Cache<?, ?> cache, MeterRegistry registry, String cacheName, Tag... extraTags) {
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(cacheName, "cacheName");
    CaffeineCacheMetrics.monitor(registry, cache, cacheName, Tags.of(extraTags));
  }
}
