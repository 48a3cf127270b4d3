package io.convstate.conformance;

import io.convstate.ConversationState;
import io.convstate.StateStore;
import io.convstate.StoreClosedException;
import io.convstate.Validation;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The simplest correct store: one lock around a HashMap. The kit's own tests run the kit against
 * it (it must pass) and against subclasses that break one rule each (they must fail).
 */
class ReferenceStore implements StateStore {

  protected final Map<String, ConversationState> states = new HashMap<>();
  protected final Clock clock;
  protected final long maxItemsBytes;
  protected boolean closed;

  ReferenceStore(Clock clock, long maxItemsBytes) {
    this.clock = clock;
    this.maxItemsBytes = maxItemsBytes;
  }

  @Override
  public synchronized ConversationState put(ConversationState state) {
    checkOpen();
    Validation.requireStorable(state, maxItemsBytes);
    ConversationState existing = states.get(state.responseId());
    ConversationState stored = (existing == null ? state : state.withCreatedAt(existing.createdAt())).withUpdatedAt(clock.instant());
    states.put(state.responseId(), stored);
    return stored;
  }

  @Override
  public synchronized Optional<ConversationState> get(String responseId) {
    checkOpen();
    return Optional.ofNullable(states.get(Validation.requireName("response_id", responseId)));
  }

  @Override
  public synchronized boolean exists(String responseId) {
    checkOpen();
    return states.containsKey(Validation.requireName("response_id", responseId));
  }

  @Override
  public synchronized boolean delete(String responseId) {
    checkOpen();
    return states.remove(Validation.requireName("response_id", responseId)) != null;
  }

  @Override
  public synchronized long deleteUpdatedBefore(Instant cutoff) {
    checkOpen();
    Validation.requireCutoff(cutoff);
    int before = states.size();
    states.values().removeIf(state -> state.updatedAt().orElseThrow().isBefore(cutoff));
    return before - states.size();
  }

  @Override
  public synchronized void append(
      String previousResponseId, String responseId, io.convstate.InputItems newItems, String model, String provider) {
    checkOpen();
    StateStore.super.append(previousResponseId, responseId, newItems, model, provider);
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  protected void checkOpen() {
    if (closed) {
      throw new StoreClosedException("reference store");
    }
  }
}
