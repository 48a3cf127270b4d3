package io.convstate.spi;

import java.util.function.Consumer;

/**
 * An optional capability of a {@link io.convstate.StateStore} over storage that several instances
 * share: it tells subscribers when a delete or a cleanup, made through <em>any</em> instance
 * (this one included), made responses unreadable, so that a near cache in front of it can stop
 * serving them. A cache checks for it with {@code instanceof}; without it, a cache relies on expiry.
 *
 * <p><b>Delivery is best effort</b>: an invalidation arrives shortly after the change committed
 * (typically well under a second), possibly more than once, possibly for ids that were never
 * readable; none is ever early (before the change is visible to a read). When the source may have
 * missed some (a lost connection), it delivers {@link Invalidation#everything()} once it receives
 * again. When it cannot receive at all, it logs so and delivers nothing: a subscriber must keep
 * its own bound on staleness (expiry).
 */
public interface InvalidationSource {

  /**
   * Starts telling {@code listener} of invalidations, until the returned subscription or the store
   * is closed. The listener is called on one background thread of the source, one invalidation at
   * a time; it must be quick, must not call the store, and its exceptions are logged and ignored.
   *
   * @param listener not null
   * @return the subscription; closing it stops deliveries (one in progress may still finish)
   */
  Subscription subscribe(Consumer<Invalidation> listener);

  /** A subscription to invalidations; closing it twice does nothing. */
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
