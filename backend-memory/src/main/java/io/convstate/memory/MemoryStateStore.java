package io.convstate.memory;

import io.convstate.ConversationState;
import io.convstate.InputItems;
import io.convstate.StateNotFoundException;
import io.convstate.StateStore;
import io.convstate.StoreClosedException;
import io.convstate.StoreConfig;
import io.convstate.Validation;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link StateStore} in this process's heap: the embedded default (type {@code memory}).
 * States are lost when the process ends; use it for development, tests and single-instance hosts.
 *
 * <p>States are immutable and held as given, so reads and writes copy nothing. {@link #append}
 * shares the previous state's items instead of copying them: a conversation of n turns costs
 * memory linear in n.
 *
 * <p>Thread-safe; every operation on one id is atomic. Ids are fully checked only when they are
 * not found: an id that is stored passed the checks when it was written.
 */
public final class MemoryStateStore implements StateStore {

  private final ConcurrentMap<String, ConversationState> states = new ConcurrentHashMap<>();
  private final Clock clock;
  private final long maxItemsBytes;
  private volatile boolean closed;

  /** A store on the system clock with the default {@code max_items_bytes} (64 MiB). */
  public MemoryStateStore() {
    this(Clock.systemUTC(), StoreConfig.DEFAULT_MAX_ITEMS_BYTES);
  }

  /**
   * @param clock the source of every {@code updated_at}
   * @param maxItemsBytes the largest items document accepted, in bytes of JSON
   */
  public MemoryStateStore(Clock clock, long maxItemsBytes) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxItemsBytes < 2) {
      throw new IllegalArgumentException("maxItemsBytes must be at least 2, was " + maxItemsBytes);
    }
    this.maxItemsBytes = maxItemsBytes;
  }

  @Override
  public ConversationState put(ConversationState state) {
    checkOpen();
    Validation.requireStorable(state, maxItemsBytes);
    return store(state);
  }

  @Override
  public Optional<ConversationState> get(String responseId) {
    checkOpen();
    ConversationState state = states.get(Validation.requireNonNull("response_id", responseId));
    if (state == null) {
      Validation.requireName("response_id", responseId); // a stored id is valid: check only on a miss
    }
    return Optional.ofNullable(state);
  }

  @Override
  public boolean exists(String responseId) {
    checkOpen();
    if (states.containsKey(Validation.requireNonNull("response_id", responseId))) {
      return true;
    }
    Validation.requireName("response_id", responseId);
    return false;
  }

  @Override
  public boolean delete(String responseId) {
    checkOpen();
    if (states.remove(Validation.requireNonNull("response_id", responseId)) != null) {
      return true;
    }
    Validation.requireName("response_id", responseId);
    return false;
  }

  @Override
  public long deleteUpdatedBefore(Instant cutoff) {
    checkOpen();
    Validation.requireCutoff(cutoff);
    long deleted = 0;
    for (Map.Entry<String, ConversationState> entry : states.entrySet()) {
      // remove(key, value) succeeds only if the entry still holds the state tested: a concurrent
      // newer write is kept, and each removal is counted by exactly one caller.
      if (entry.getValue().updatedAt().orElseThrow().isBefore(cutoff) && states.remove(entry.getKey(), entry.getValue())) {
        deleted++;
      }
    }
    return deleted;
  }

  @Override
  public void append(
      String previousResponseId, String responseId, InputItems newItems, String model, String provider) {
    checkOpen();
    ConversationState draft = Validation.requireAppendable(previousResponseId, responseId, newItems, model, provider);
    ConversationState previous = states.get(previousResponseId);
    if (previous == null) {
      throw new StateNotFoundException(previousResponseId);
    }
    InputItems items = Validation.requireWithinLimit(previous.items().concat(newItems), maxItemsBytes);
    store(ConversationState.of(draft.responseId(), items, previous.createdAt(), model, provider));
  }

  /** The number of states held. */
  public int size() {
    checkOpen();
    return states.size();
  }

  @Override
  public void close() {
    closed = true;
    states.clear();
  }

  @Override
  public String toString() {
    return "MemoryStateStore[" + states.size() + " states" + (closed ? ", closed" : "") + "]";
  }

  private ConversationState store(ConversationState state) {
    Instant now = clock.instant();
    return states.compute(state.responseId(), (id, existing) ->
        (existing == null ? state : state.withCreatedAt(existing.createdAt())).withUpdatedAt(now));
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException("memory state store");
    }
  }
}
