package io.convstate.server;

import io.convstate.History;
import io.convstate.ItemPage;
import io.convstate.ItemQuery;
import io.convstate.StateStore;
import io.convstate.StorageUnavailableException;
import io.convstate.Turn;
import java.net.ConnectException;
import java.time.Instant;
import java.util.Optional;

/**
 * A store that can be taken down and brought back, for outage tests: while down every call fails as
 * an unreachable database would, with connection details in the message (which clients must never
 * see). Delegates everything else.
 */
final class OutageStore implements StateStore {

  private final StateStore delegate;
  private volatile boolean down;

  OutageStore(StateStore delegate) {
    this.delegate = delegate;
  }

  void down(boolean down) {
    this.down = down;
  }

  private void check() {
    if (down) {
      throw new StorageUnavailableException("connection to db.internal.example:5432 (user app) refused",
          new ConnectException("Connection refused"));
    }
  }

  @Override
  public Turn record(Turn turn) {
    check();
    return delegate.record(turn);
  }

  @Override
  public void checkRecordable(Turn turn) {
    check();
    delegate.checkRecordable(turn);
  }

  @Override
  public Optional<History> history(String owner, String responseId) {
    check();
    return delegate.history(owner, responseId);
  }

  @Override
  public Optional<Turn> turn(String owner, String responseId) {
    check();
    return delegate.turn(owner, responseId);
  }

  @Override
  public Optional<ItemPage> inputItems(String owner, String responseId, ItemQuery query) {
    check();
    return delegate.inputItems(owner, responseId, query);
  }

  @Override
  public boolean delete(String owner, String responseId) {
    check();
    return delegate.delete(owner, responseId);
  }

  @Override
  public long deleteInactiveBefore(Instant cutoff) {
    check();
    return delegate.deleteInactiveBefore(cutoff);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "OutageStore[" + delegate + (down ? ", down" : "") + "]";
  }
}
