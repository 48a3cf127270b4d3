package io.convstate;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The stored state of one response: the whole history a request that continues from it must
 * send upstream. Mirrors one row of the {@code conversation_states} table.
 *
 * <p>Immutable and thread-safe: nothing a caller holds can change a stored state, nor the other
 * way round. A state built by a caller has no {@link #updatedAt()}; a state read from a store
 * always has one, set by the store's clock at its last write.
 */
public final class ConversationState {

  private final String responseId;
  private final InputItems items;
  private final long createdAt;
  private final String model;
  private final String provider;
  private final Instant updatedAt;

  private ConversationState(
      String responseId, InputItems items, long createdAt, String model, String provider, Instant updatedAt) {
    this.responseId = Validation.requireName("response_id", responseId);
    if (items == null) {
      throw new InvalidInputException("input_items", "must not be null");
    }
    this.items = items;
    if (createdAt < 0) {
      throw new InvalidInputException("created_at", "must be Unix seconds, not negative: " + createdAt);
    }
    this.createdAt = createdAt;
    this.model = Validation.requireName("model", model);
    this.provider = Validation.requireName("provider", provider);
    this.updatedAt = updatedAt;
  }

  /** A copy with another created_at and updated_at: the fields are already valid, so no checks. */
  private ConversationState(ConversationState source, long createdAt, Instant updatedAt) {
    this.responseId = source.responseId;
    this.items = source.items;
    this.createdAt = createdAt;
    this.model = source.model;
    this.provider = source.provider;
    this.updatedAt = updatedAt;
  }

  /**
   * A state to hand to {@link StateStore#put}.
   *
   * @param responseId the response this state belongs to
   * @param items the whole history to prepend when a request continues from this response
   * @param createdAt Unix seconds when the conversation started; kept on overwrite
   * @param model the model name
   * @param provider the LLM provider (openai, anthropic, bedrock, ...)
   * @throws InvalidInputException naming the field when an argument is null, blank, negative or
   *     otherwise fails {@link Validation#requireName}
   */
  public static ConversationState of(
      String responseId, InputItems items, long createdAt, String model, String provider) {
    return new ConversationState(responseId, items, createdAt, model, provider, null);
  }

  /**
   * This state as a store returns it. For store implementations.
   *
   * @throws NullPointerException when updatedAt is null
   */
  public ConversationState withUpdatedAt(Instant updatedAt) {
    return new ConversationState(this, createdAt, Objects.requireNonNull(updatedAt, "updatedAt"));
  }

  /**
   * This state with another created_at, as a store returns it after an overwrite. For store
   * implementations.
   */
  public ConversationState withCreatedAt(long createdAt) {
    if (createdAt < 0) {
      throw new InvalidInputException("created_at", "must be Unix seconds, not negative: " + createdAt);
    }
    return createdAt == this.createdAt ? this : new ConversationState(this, createdAt, updatedAt);
  }

  public String responseId() {
    return responseId;
  }

  public InputItems items() {
    return items;
  }

  /** Unix seconds when the conversation started. */
  public long createdAt() {
    return createdAt;
  }

  public String model() {
    return model;
  }

  public String provider() {
    return provider;
  }

  /** When a store last wrote this state; empty for a state not read from a store. */
  public Optional<Instant> updatedAt() {
    return Optional.ofNullable(updatedAt);
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof ConversationState)) {
      return false;
    }
    ConversationState that = (ConversationState) other;
    return createdAt == that.createdAt
        && responseId.equals(that.responseId)
        && model.equals(that.model)
        && provider.equals(that.provider)
        && Objects.equals(updatedAt, that.updatedAt)
        && items.equals(that.items);
  }

  @Override
  public int hashCode() {
    return Objects.hash(responseId, createdAt, model, provider, updatedAt);
  }

  /** Names and sizes only; never the items' content. */
  @Override
  public String toString() {
    return "ConversationState[responseId=" + responseId + ", items=" + items + ", createdAt=" + createdAt
        + ", model=" + model + ", provider=" + provider + ", updatedAt=" + updatedAt + "]";
  }
}
