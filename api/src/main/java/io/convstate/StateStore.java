package io.convstate;

import java.time.Instant;
import java.util.Optional;

/**
 * Storage of conversations as a log of turns: each response is recorded once, with the items its
 * request added, the items the model answered with, and the response it continued. The history of
 * a response is the chain of turns from the conversation's first to it ({@link History}).
 *
 * <p><b>Recording.</b> {@link #record} is create-only and writes the new turn only, never the
 * history before it. Forks are normal: several turns may continue one response.
 *
 * <p><b>Owners.</b> A turn may have an owner (a tenant, a user, a key hash; null means unscoped).
 * Every read and delete names the caller's owner, and sees only the turns whose owner is equal to
 * it (null sees only unscoped turns). Another owner's turn reads exactly as an absent one: the same
 * result, the same exception and the same message.
 *
 * <p><b>Deletes and cleanup.</b> {@link #delete} makes a response unreadable but never breaks the
 * history of a response that continues it. {@link #deleteInactiveBefore} removes whole
 * conversations that have had no activity since a cutoff, where a conversation's activity is the
 * latest recording of any of its turns: continuing a conversation keeps all its turns alive, and
 * no live turn is ever left with a hole in its history.
 *
 * <p><b>Threads.</b> Every method is safe to call from many threads at once. A completed
 * {@link #record} is visible to every later read on any thread (and, for shared backends, on any
 * node).
 *
 * <p><b>Arguments.</b> Ids and owners must pass {@link Validation#requireName}; a bad argument
 * throws {@link InvalidInputException} naming the field, and nothing is written.
 *
 * <p><b>Failures.</b> {@link StorageUnavailableException} when the storage cannot be reached
 * (retryable), {@link StorageException} for other storage failures, {@link StoreClosedException}
 * after {@link #close()}. A failure is never reported as "absent", and never loses or alters a
 * turn that was acknowledged before.
 *
 * <p><b>Clock.</b> A turn's {@code recorded_at}, and so its conversation's activity, is set by the
 * store from its own clock, never by the caller.
 *
 * <p>Obtain a store from {@link StateStores#open}, or construct a backend's class directly.
 */
public interface StateStore extends AutoCloseable {

  /**
   * Records a turn. When it continues a response ({@link Turn#previousResponseId()}), that response
   * must be readable by the turn's owner.
   *
   * @return the turn as stored: the given fields, the conversation's start as
   *     {@link Turn#conversationCreatedAt()} (the previous turn's, or this turn's own created_at for
   *     a first turn) and the {@link Turn#recordedAt()} just set
   * @throws StateNotFoundException naming the previous response id when it is absent, deleted, or
   *     another owner's; nothing is written (this check comes first: a retry of a turn whose
   *     previous response was deleted meanwhile gets it too)
   * @throws ResponseConflictException when the response id already holds a turn that is not
   *     {@link Turn#sameRecordAs the same record}; recording the same record again returns the
   *     stored turn and writes nothing
   * @throws InvalidInputException naming the field when turn is null, when its items and metadata
   *     exceed the store's {@code max_items_bytes}, or when it holds what the backend cannot keep
   *     exactly
   */
  Turn record(Turn turn);

  /**
   * Checks that {@link #record} would accept this turn's fields and sizes, without reading or
   * writing anything: a host calls it before paying for a model call whose turn it could not
   * record. It does not check the previous response or the id (they may change meanwhile).
   *
   * @throws InvalidInputException exactly as {@link #record} would for this turn's content
   */
  void checkRecordable(Turn turn);

  /**
   * The history of a response: every turn from the conversation's first to it, with each turn's
   * input and output. Turns of the chain that were deleted are still part of it.
   *
   * @param owner the caller's owner; null for unscoped
   * @return the history, or empty when the response is absent, deleted or another owner's
   */
  Optional<History> history(String owner, String responseId);

  /**
   * One response's turn, for retrieving the response. The default reads the history; a backend may
   * read the one turn.
   *
   * @return the turn, or empty when it is absent, deleted or another owner's
   */
  default Optional<Turn> turn(String owner, String responseId) {
    return history(owner, responseId).map(History::last);
  }

  /**
   * One page of a response's input items ({@link ItemPage}: every earlier turn's input and output,
   * then the response's own input), each with a stable id.
   *
   * @return the page, or empty when the response is absent, deleted or another owner's
   * @throws InvalidInputException naming {@code after} or {@code before} when a cursor is not an
   *     item of the response's input, or {@code query} when query is null
   */
  default Optional<ItemPage> inputItems(String owner, String responseId, ItemQuery query) {
    Validation.requireNonNull("query", query);
    return history(owner, responseId).map(history -> ItemPage.of(history, query));
  }

  /**
   * Deletes a response: afterwards it reads as absent, it cannot be continued, and its id stays
   * taken. A response that continues it still has its whole history.
   *
   * @return true when a readable response was deleted, false when it was absent, already deleted
   *     or another owner's
   */
  boolean delete(String owner, String responseId);

  /**
   * Deletes every conversation whose last activity (latest recording of any of its turns) is
   * strictly before {@code cutoff}, with all its turns, deleted ones included. Safe to run from
   * several threads or nodes at once: each turn is counted by the call that removed it. A turn
   * recorded concurrently into a conversation being removed either fails as not found or is kept
   * with its whole history: cleanup never leaves a readable turn with a hole.
   *
   * @return how many turns this call removed
   */
  long deleteInactiveBefore(Instant cutoff);

  /**
   * Checks that the storage answers, as cheaply as the backend can: for a readiness probe. The
   * default reads an id that is never recorded; a backend may do less (a {@code SELECT 1}, a
   * {@code PING}).
   *
   * @throws StorageUnavailableException when the storage cannot be reached
   * @throws StorageException for another storage failure
   * @throws StoreClosedException after {@link #close()}
   */
  default void ping() {
    history(null, "convstate-ping");
  }

  /**
   * Releases the store's resources (connections, threads). Afterwards every other method throws
   * {@link StoreClosedException}. Calling it again does nothing.
   */
  @Override
  void close();
}
