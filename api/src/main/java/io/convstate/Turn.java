package io.convstate;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One response of a conversation, as the store keeps it: the items this request added, the items
 * the model answered with, and a pointer to the response it continued. A conversation is a tree of
 * turns (forks are normal); the history a request continues from is the chain of turns from the
 * first to the one it names ({@link History}).
 *
 * <p>Build a turn to record with {@link #builder(String)}; a store returns it with the fields it
 * sets itself: {@link #conversationCreatedAt()} (the first turn's {@code created_at}) and
 * {@link #recordedAt()} (its clock at the write).
 *
 * <p>Immutable and thread-safe. {@link #toString()} names sizes and ids, never item content or
 * metadata.
 */
public final class Turn {

  /** The largest metadata object accepted, in bytes of JSON. */
  public static final int MAX_METADATA_BYTES = 64 * 1024;

  private final String responseId;
  private final String previousResponseId;
  private final String owner;
  private final InputItems input;
  private final InputItems output;
  private final String model;
  private final String provider;
  private final long createdAt;
  private final long conversationCreatedAt;
  private final JsonObjectText metadata;
  private final Instant recordedAt;

  private Turn(Builder builder) {
    this.responseId = Validation.requireName("response_id", builder.responseId);
    this.previousResponseId = builder.previousResponseId == null
        ? null : Validation.requireName("previous_response_id", builder.previousResponseId);
    this.owner = builder.owner == null ? null : Validation.requireName("owner", builder.owner);
    this.input = Validation.requireNonNull("input", builder.input);
    this.output = Validation.requireNonNull("output", builder.output);
    this.model = Validation.requireName("model", builder.model);
    this.provider = Validation.requireName("provider", builder.provider);
    this.createdAt = requireSeconds("created_at", builder.createdAt);
    this.conversationCreatedAt = builder.conversationCreatedAt == null
        ? createdAt : requireSeconds("conversation_created_at", builder.conversationCreatedAt);
    this.metadata = builder.metadata;
    this.recordedAt = builder.recordedAt;
    if (responseId.equals(previousResponseId)) {
      throw new InvalidInputException("previous_response_id", "must differ from response_id");
    }
  }

  /**
   * A builder for the turn of {@code responseId}. Required besides the id: model, provider, input
   * and output (either may be empty); created_at defaults to 0, so set it.
   */
  public static Builder builder(String responseId) {
    return new Builder(responseId);
  }

  /** A builder holding every field of this turn, to derive another. */
  public Builder toBuilder() {
    Builder builder = new Builder(responseId)
        .previousResponseId(previousResponseId)
        .owner(owner)
        .input(input)
        .output(output)
        .model(model)
        .provider(provider)
        .createdAt(createdAt)
        .conversationCreatedAt(conversationCreatedAt)
        .recordedAt(recordedAt);
    builder.metadata = metadata;
    return builder;
  }

  public String responseId() {
    return responseId;
  }

  /** The response this turn continued; empty for the first turn of a conversation. */
  public Optional<String> previousResponseId() {
    return Optional.ofNullable(previousResponseId);
  }

  /** Who may read this turn (a tenant, a user, a key hash); empty for an unscoped turn. */
  public Optional<String> owner() {
    return Optional.ofNullable(owner);
  }

  /** The items this request added to the conversation (not the history before it). */
  public InputItems input() {
    return input;
  }

  /** The response's output items, as the next request's input items. */
  public InputItems output() {
    return output;
  }

  public String model() {
    return model;
  }

  public String provider() {
    return provider;
  }

  /** Unix seconds when this response was created. */
  public long createdAt() {
    return createdAt;
  }

  /**
   * Unix seconds when the conversation started: the first turn's {@link #createdAt()}. Set by the
   * store on record; in a turn built by a caller it equals {@link #createdAt()} unless set.
   */
  public long conversationCreatedAt() {
    return conversationCreatedAt;
  }

  /** The host's metadata object as JSON text (status, usage, instructions, ...); empty when none. */
  public Optional<String> metadata() {
    return metadata == null ? Optional.empty() : Optional.of(metadata.json());
  }

  /** When the store recorded this turn, from its clock; empty in a turn not read from a store. */
  public Optional<Instant> recordedAt() {
    return Optional.ofNullable(recordedAt);
  }

  /** The UTF-8 bytes of this turn's items and metadata: what recording it adds to a store. */
  public long jsonBytes() {
    return input.jsonBytes() + output.jsonBytes() + (metadata == null ? 0 : metadata.bytes());
  }

  /**
   * Whether {@code other} records the same thing: every field but the ones a store sets
   * ({@link #conversationCreatedAt()}, {@link #recordedAt()}), items and metadata compared as JSON
   * values (key order and white space aside, numbers by value), as PostgreSQL's {@code jsonb}
   * compares them.
   */
  public boolean sameRecordAs(Turn other) {
    return responseId.equals(other.responseId)
        && Objects.equals(previousResponseId, other.previousResponseId)
        && Objects.equals(owner, other.owner)
        && model.equals(other.model)
        && provider.equals(other.provider)
        && createdAt == other.createdAt
        && (metadata == null ? other.metadata == null
            : other.metadata != null && Json.sameValue(metadata.json(), other.metadata.json()))
        && (input.equals(other.input) || Json.sameValue(input.toJson(), other.input.toJson()))
        && (output.equals(other.output) || Json.sameValue(output.toJson(), other.output.toJson()));
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof Turn)) {
      return false;
    }
    Turn that = (Turn) other;
    return sameRecordAs(that)
        && conversationCreatedAt == that.conversationCreatedAt
        && Objects.equals(recordedAt, that.recordedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(responseId, previousResponseId, owner, model, provider, createdAt);
  }

  /** Ids and sizes; never item content, metadata or the owner (it may identify a person). */
  @Override
  public String toString() {
    return "Turn[responseId=" + responseId + ", previousResponseId=" + previousResponseId
        + ", owner=" + (owner == null ? "none" : "set") + ", input=" + input + ", output=" + output
        + ", model=" + model + ", provider=" + provider + ", createdAt=" + createdAt
        + ", conversationCreatedAt=" + conversationCreatedAt + ", recordedAt=" + recordedAt + "]";
  }

  private static long requireSeconds(String field, long seconds) {
    if (seconds < 0) {
      throw new InvalidInputException(field, "must be Unix seconds, not negative: " + seconds);
    }
    return seconds;
  }

  /** Collects a turn's fields; {@link #build()} checks them all. Not thread-safe. */
  public static final class Builder {
    private final String responseId;
    private String previousResponseId;
    private String owner;
    private InputItems input = InputItems.empty();
    private InputItems output = InputItems.empty();
    private String model;
    private String provider;
    private long createdAt;
    private Long conversationCreatedAt;
    private JsonObjectText metadata;
    private Instant recordedAt;

    private Builder(String responseId) {
      this.responseId = responseId;
    }

    /** The response this turn continues; null (the default) starts a conversation. */
    public Builder previousResponseId(String previousResponseId) {
      this.previousResponseId = previousResponseId;
      return this;
    }

    /** Who may read the turn; null (the default) for an unscoped turn. */
    public Builder owner(String owner) {
      this.owner = owner;
      return this;
    }

    public Builder input(InputItems input) {
      this.input = input;
      return this;
    }

    public Builder output(InputItems output) {
      this.output = output;
      return this;
    }

    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder provider(String provider) {
      this.provider = provider;
      return this;
    }

    /** Unix seconds when the response was created. */
    public Builder createdAt(long createdAt) {
      this.createdAt = createdAt;
      return this;
    }

    /** For stores: the conversation's start, as stored. */
    public Builder conversationCreatedAt(long conversationCreatedAt) {
      this.conversationCreatedAt = conversationCreatedAt;
      return this;
    }

    /**
     * The host's metadata: one JSON object of at most {@value Turn#MAX_METADATA_BYTES} bytes, or
     * null for none.
     *
     * @throws InvalidInputException naming {@code metadata} when it is not one JSON object, repeats
     *     a key, or is too large
     */
    public Builder metadata(String json) {
      this.metadata = json == null ? null : JsonObjectText.parse("metadata", json, MAX_METADATA_BYTES);
      return this;
    }

    /** For stores: when the turn was recorded, as stored. */
    public Builder recordedAt(Instant recordedAt) {
      this.recordedAt = recordedAt;
      return this;
    }

    /**
     * The turn.
     *
     * @throws InvalidInputException naming the first field that is missing or invalid
     */
    public Turn build() {
      return new Turn(this);
    }
  }
}
