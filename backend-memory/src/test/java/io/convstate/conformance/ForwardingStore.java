package io.convstate.conformance;

import io.convstate.memory.MemoryStateStore;
import io.convstate.History;
import io.convstate.ItemPage;
import io.convstate.ItemQuery;
import io.convstate.StateStore;
import io.convstate.Turn;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/** A memory store behind a decorator that a broken store overrides in one place. */
class ForwardingStore implements StateStore {

  final MemoryStateStore delegate;

  ForwardingStore(Clock clock, long maxItemsBytes) {
    this.delegate = new MemoryStateStore(clock, maxItemsBytes);
  }

  @Override
  public Turn record(Turn turn) {
    return delegate.record(turn);
  }

  @Override
  public void checkRecordable(Turn turn) {
    delegate.checkRecordable(turn);
  }

  @Override
  public Optional<History> history(String owner, String responseId) {
    return delegate.history(owner, responseId);
  }

  @Override
  public Optional<Turn> turn(String owner, String responseId) {
    return history(owner, responseId).map(History::last);
  }

  @Override
  public Optional<ItemPage> inputItems(String owner, String responseId, ItemQuery query) {
    return delegate.inputItems(owner, responseId, query);
  }

  @Override
  public boolean delete(String owner, String responseId) {
    return delegate.delete(owner, responseId);
  }

  @Override
  public long deleteInactiveBefore(Instant cutoff) {
    return delegate.deleteInactiveBefore(cutoff);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
