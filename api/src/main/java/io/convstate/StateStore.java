package io.convstate;

import java.time.Instant;
import java.util.Optional;

/**
 * Storage of conversation states, keyed by response id.
 *
 * <p><b>Threads.</b> Every method is safe to call from many threads at once. A completed
 * {@link #put} is visible to every later {@link #get} on any thread (and, for shared backends,
 * on any node).
 *
 * <p><b>Arguments.</b> Ids must pass {@link Validation#requireName}; a bad argument throws
 * {@link InvalidInputException} naming the field, and nothing is written.
 *
 * <p><b>Failures.</b> {@link StorageUnavailableException} when the storage cannot be reached
 * (retryable), {@link StorageException} for other storage failures, {@link StoreClosedException}
 * after {@link #close()}. A failure never loses or alters a state that was acknowledged before.
 *
 * <p><b>Clock.</b> {@code updated_at} is set by the store from its own clock on every write, never
 * by the caller.
 *
 * <p>Obtain a store from {@link StateStores#open}, or construct a backend's class directly.
 */
public interface StateStore extends AutoCloseable {

  /**
   * Stores {@code state} under its response id, replacing any state already there. On overwrite,
   * items, model, provider and {@code updated_at} change; {@code created_at} keeps its first value.
   *
   * @return the state as stored: the given items, model and provider, the {@code created_at} kept
   *     from an earlier write (or the given one), and the {@code updated_at} just set; equal to
   *     what {@link #get} returns next, items compared as JSON
   * @throws InvalidInputException when state is null or its items exceed the store's
   *     {@code max_items_bytes}
   */
  ConversationState put(ConversationState state);

  /**
   * The state stored under {@code responseId}, with its {@code updated_at}.
   *
   * @return the state, or empty when there is none (never an error)
   */
  Optional<ConversationState> get(String responseId);

  /** Whether a state is stored under {@code responseId}, without reading its items. */
  boolean exists(String responseId);

  /**
   * Deletes the state stored under {@code responseId}.
   *
   * @return true when a state was deleted, false when there was none
   */
  boolean delete(String responseId);

  /**
   * Deletes every state whose {@code updated_at} is strictly before {@code cutoff}. Safe to run
   * from several threads or nodes at once: each state is counted by the call that deleted it.
   * A state written concurrently with a newer {@code updated_at} is not deleted.
   *
   * @return how many states this call deleted
   */
  long deleteUpdatedBefore(Instant cutoff);

  /**
   * Stores under {@code responseId} the items of the state stored under
   * {@code previousResponseId} followed by {@code newItems}, with the previous state's
   * {@code created_at} (the conversation's start) and the given model and provider. The previous
   * state is not changed. Like {@link #put}, an existing state under {@code responseId} is
   * replaced, keeping its own {@code created_at}.
   *
   * <p>The default reads the previous state and writes the result with {@link #put}; a backend
   * may do the same work more cheaply (one round trip, shared structure).
   *
   * @throws StateNotFoundException when no state is stored under previousResponseId; nothing is
   *     written
   * @throws InvalidInputException naming the field for a bad argument, or when the result would
   *     exceed the store's {@code max_items_bytes}
   */
  default void append(
      String previousResponseId, String responseId, InputItems newItems, String model, String provider) {
    ConversationState draft = Validation.requireAppendable(previousResponseId, responseId, newItems, model, provider);
    ConversationState previous =
        get(previousResponseId).orElseThrow(() -> new StateNotFoundException(previousResponseId));
    put(ConversationState.of(
        draft.responseId(), previous.items().concat(newItems), previous.createdAt(), model, provider));
  }

  /**
   * Releases the store's resources (connections, threads). Afterwards every other method throws
   * {@link StoreClosedException}. Calling it again does nothing.
   */
  @Override
  void close();
}
