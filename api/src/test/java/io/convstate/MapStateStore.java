package io.convstate;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The least store the api's tests need; the real contract is checked by the conformance kit. */
class MapStateStore implements StateStore {

  final Map<String, ConversationState> states = new ConcurrentHashMap<>();
  int gets;

  @Override
  public ConversationState put(ConversationState state) {
    ConversationState stored = state.withUpdatedAt(Instant.EPOCH);
    states.put(state.responseId(), stored);
    return stored;
  }

  @Override
  public Optional<ConversationState> get(String responseId) {
    gets++;
    return Optional.ofNullable(states.get(responseId));
  }

  @Override
  public boolean exists(String responseId) {
    return states.containsKey(responseId);
  }

  @Override
  public boolean delete(String responseId) {
    return states.remove(responseId) != null;
  }

  @Override
  public long deleteUpdatedBefore(Instant cutoff) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void close() {}
}
