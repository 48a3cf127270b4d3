package io.convstate.conformance;

import io.convstate.History;
import io.convstate.StateStore;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreClosedException;
import io.convstate.Turn;
import io.convstate.memory.MemoryStateStore;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * A memory store behind a decorator: a broken store overrides it in one place; an {@link Outage}
 * makes every call fail as the storage of a remote backend would; two decorators over one memory
 * store are two instances over the same storage.
 */
class ForwardingStore implements StateStore {

  /** A switch that makes the storage unreachable; shared by every instance over the storage. */
  static final class Outage implements StorageFaults {
    private volatile boolean broken;

    @Override
    public void breakStorage() {
      broken = true;
    }

    @Override
    public void restoreStorage() {
      broken = false;
    }

    boolean broken() {
      return broken;
    }
  }

  final MemoryStateStore delegate;
  final Outage outage;
  private final boolean ownsDelegate;
  private volatile boolean closed;

  ForwardingStore(Clock clock, long maxItemsBytes) {
    this(new MemoryStateStore(clock, maxItemsBytes), new Outage(), true);
  }

  /** Another instance over the storage of {@code first}: closing it leaves the storage open. */
  ForwardingStore(ForwardingStore first) {
    this(first.delegate, first.outage, false);
  }

  private ForwardingStore(MemoryStateStore delegate, Outage outage, boolean ownsDelegate) {
    this.delegate = delegate;
    this.outage = outage;
    this.ownsDelegate = ownsDelegate;
  }

  /** Another instance over the same storage. */
  StateStore secondInstance() {
    return new ForwardingStore(this);
  }

  /** Throws as a closed store, or an unreachable storage while the outage lasts, does. */
  void reach() {
    if (closed) {
      throw new StoreClosedException("forwarding store");
    }
    if (outage.broken()) {
      throw new StorageUnavailableException("the storage is unreachable (test outage)", null);
    }
  }

  @Override
  public Turn record(Turn turn) {
    reach();
    return delegate.record(turn);
  }

  @Override
  public void checkRecordable(Turn turn) {
    if (closed) {
      throw new StoreClosedException("forwarding store");
    }
    delegate.checkRecordable(turn);
  }

  @Override
  public Optional<History> history(String owner, String responseId) {
    reach();
    return delegate.history(owner, responseId);
  }

  @Override
  public boolean delete(String owner, String responseId) {
    reach();
    return delegate.delete(owner, responseId);
  }

  @Override
  public long deleteInactiveBefore(Instant cutoff) {
    reach();
    return delegate.deleteInactiveBefore(cutoff);
  }

  @Override
  public void ping() {
    reach();
    delegate.ping();
  }

  @Override
  public void close() {
    closed = true;
    if (ownsDelegate) {
      delegate.close();
    }
  }
}
