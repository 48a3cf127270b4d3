package io.convstate.memory;

import io.convstate.History;
import io.convstate.ResponseConflictException;
import io.convstate.StateNotFoundException;
import io.convstate.StateStore;
import io.convstate.StoreClosedException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.Validation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link StateStore} in this process's heap: the embedded default (type {@code memory}).
 * Turns are lost when the process ends; use it for development, tests and single-instance hosts.
 *
 * <p>Bounded: when the turns held weigh more than {@code maximum_weight} (bytes of JSON plus a
 * small overhead per turn), the least recently active conversations are evicted whole until a
 * tenth of the bound is free; with a {@code retention}, conversations inactive for longer are
 * removed as later turns are recorded. An evicted or expired response reads as absent.
 *
 * <p>Each response maps to its {@link History}, which shares its previous response's history
 * whole: a conversation of n turns costs memory linear in n, and a read copies nothing. A deleted
 * response keeps its entry, marked deleted, so its id stays taken and the histories that continue
 * it stay whole; cleanup drops whole conversations.
 *
 * <p>Thread-safe. Recording into a conversation and removing it by cleanup lock that conversation,
 * so a turn is never recorded into a conversation that a concurrent cleanup removed.
 */
public final class MemoryStateStore implements StateStore {

  /** What a response id maps to; immutable, replaced whole on delete. */
  private static final class Entry {
    final History history;
    final Conversation conversation;
    final boolean deleted;

    Entry(History history, Conversation conversation, boolean deleted) {
      this.history = history;
      this.conversation = conversation;
      this.deleted = deleted;
    }

    boolean readableBy(String owner) {
      return !deleted && Objects.equals(history.last().owner().orElse(null), owner);
    }
  }

  /** The turns of one conversation, its weight and last activity; guarded by its own monitor. */
  private static final class Conversation {
    final List<String> responseIds = new ArrayList<>();
    long weight;
    volatile Instant lastActivity;
    boolean removed;
  }

  /** What a turn weighs besides its JSON: the objects that hold it. */
  static final long TURN_OVERHEAD = 256;
  /** The default {@code maximum_weight}: 256 MiB. */
  public static final long DEFAULT_MAXIMUM_WEIGHT = 256L << 20;

  private final ConcurrentMap<String, Entry> responses = new ConcurrentHashMap<>();
  private final ConcurrentMap<Conversation, Boolean> conversations = new ConcurrentHashMap<>();
  private final AtomicLong weight = new AtomicLong();
  private final Clock clock;
  private final long maxItemsBytes;
  private final long maximumWeight;
  private final Duration retention;
  private volatile Instant nextRetentionRun = Instant.MIN;
  private volatile boolean closed;

  /** A store on the system clock with the defaults: 64 MiB turns, 256 MiB in all, no retention. */
  public MemoryStateStore() {
    this(Clock.systemUTC(), StoreConfig.DEFAULT_MAX_ITEMS_BYTES);
  }

  /**
   * A store with the default bound (256 MiB) and no retention.
   *
   * @param clock the source of every {@code recorded_at}
   * @param maxItemsBytes the largest turn accepted, in bytes of JSON
   */
  public MemoryStateStore(Clock clock, long maxItemsBytes) {
    this(clock, maxItemsBytes, DEFAULT_MAXIMUM_WEIGHT, null);
  }

  /**
   * @param clock the source of every {@code recorded_at}
   * @param maxItemsBytes the largest turn accepted, in bytes of JSON
   * @param maximumWeight the most the turns held may weigh, in bytes, before conversations are evicted
   * @param retention how long an inactive conversation is kept; null to keep it until evicted
   * @throws IllegalArgumentException for a bound under 2 bytes or a retention that is not positive
   */
  public MemoryStateStore(Clock clock, long maxItemsBytes, long maximumWeight, Duration retention) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxItemsBytes < 2 || maximumWeight < 2) {
      throw new IllegalArgumentException("maxItemsBytes and maximumWeight must be at least 2, were "
          + maxItemsBytes + " and " + maximumWeight);
    }
    if (retention != null && (retention.isNegative() || retention.isZero())) {
      throw new IllegalArgumentException("retention must be positive, was " + retention);
    }
    this.maxItemsBytes = maxItemsBytes;
    this.maximumWeight = maximumWeight;
    this.retention = retention;
  }

  @Override
  public Turn record(Turn turn) {
    checkOpen();
    Validation.requireRecordable(turn, maxItemsBytes);
    String owner = turn.owner().orElse(null);
    Entry previous = null;
    if (turn.previousResponseId().isPresent()) {
      previous = responses.get(turn.previousResponseId().get());
      if (previous == null || !previous.readableBy(owner)) {
        throw new StateNotFoundException(turn.previousResponseId().get());
      }
    }
    Conversation conversation = previous == null ? new Conversation() : previous.conversation;
    Turn recorded;
    synchronized (conversation) {
      if (conversation.removed) {
        throw new StateNotFoundException(turn.previousResponseId().orElseThrow());
      }
      Instant now = clock.instant();
      Turn stored = turn.toBuilder()
          .conversationCreatedAt(previous == null ? turn.createdAt() : previous.history.conversationCreatedAt())
          .recordedAt(now)
          .build();
      History history = previous == null ? History.of(stored) : previous.history.then(stored);
      Entry existing = responses.putIfAbsent(turn.responseId(), new Entry(history, conversation, false));
      if (existing != null) {
        if (!existing.deleted && existing.history.last().sameRecordAs(turn)) {
          return existing.history.last();
        }
        throw new ResponseConflictException(turn.responseId());
      }
      conversation.responseIds.add(turn.responseId());
      if (conversation.lastActivity == null || now.isAfter(conversation.lastActivity)) {
        conversation.lastActivity = now;
      }
      long added = turn.jsonBytes() + TURN_OVERHEAD;
      conversation.weight += added;
      weight.addAndGet(added);
      if (previous == null) {
        conversations.put(conversation, Boolean.TRUE);
      }
      recorded = stored;
    }
    // Outside the conversation's lock: these lock other conversations.
    if (retention != null && !recorded.recordedAt().orElseThrow().isBefore(nextRetentionRun)) {
      nextRetentionRun = recorded.recordedAt().orElseThrow().plus(retention.dividedBy(100));
      deleteInactiveBefore(recorded.recordedAt().orElseThrow().minus(retention));
    }
    if (weight.get() > maximumWeight) {
      evict(conversation);
    }
    return recorded;
  }

  /** Evicts the least recently active conversations, but keep, until a tenth of the bound is free. */
  private void evict(Conversation keep) {
    // Sort a snapshot of the activity times: they change under concurrent recordings.
    List<Map.Entry<Instant, Conversation>> oldestFirst = new ArrayList<>();
    for (Conversation conversation : conversations.keySet()) {
      oldestFirst.add(Map.entry(conversation.lastActivity, conversation));
    }
    oldestFirst.sort(Map.Entry.comparingByKey());
    long target = maximumWeight - maximumWeight / 10;
    for (Map.Entry<Instant, Conversation> entry : oldestFirst) {
      if (weight.get() <= target) {
        return;
      }
      if (entry.getValue() != keep) {
        remove(entry.getValue(), Instant.MAX);
      }
    }
  }

  @Override
  public void checkRecordable(Turn turn) {
    checkOpen();
    Validation.requireRecordable(turn, maxItemsBytes);
  }

  @Override
  public Optional<History> history(String owner, String responseId) {
    checkOpen();
    Validation.requireOwner(owner);
    Entry entry = responses.get(Validation.requireName("response_id", responseId));
    return entry != null && entry.readableBy(owner) ? Optional.of(entry.history) : Optional.empty();
  }

  @Override
  public boolean delete(String owner, String responseId) {
    checkOpen();
    Validation.requireOwner(owner);
    Validation.requireName("response_id", responseId);
    boolean[] deleted = new boolean[1];
    responses.computeIfPresent(responseId, (id, entry) -> {
      if (!entry.readableBy(owner)) {
        return entry;
      }
      deleted[0] = true;
      return new Entry(entry.history, entry.conversation, true);
    });
    return deleted[0];
  }

  @Override
  public long deleteInactiveBefore(Instant cutoff) {
    checkOpen();
    Validation.requireCutoff(cutoff);
    long removed = 0;
    for (Conversation conversation : conversations.keySet()) {
      removed += remove(conversation, cutoff);
    }
    return removed;
  }

  /** Removes a conversation last active before cutoff, whole; returns how many turns it removed. */
  private long remove(Conversation conversation, Instant cutoff) {
    synchronized (conversation) {
      if (conversation.removed || !conversation.lastActivity.isBefore(cutoff)) {
        return 0;
      }
      conversation.removed = true;
      for (String responseId : conversation.responseIds) {
        responses.remove(responseId);
      }
      weight.addAndGet(-conversation.weight);
    }
    conversations.remove(conversation);
    return conversation.responseIds.size();
  }

  /** What the turns held weigh, in bytes: their JSON plus {@value #TURN_OVERHEAD} bytes each. */
  public long weight() {
    return weight.get();
  }

  /** Nothing to reach: answers unless the store is closed. */
  @Override
  public void ping() {
    checkOpen();
  }

  /** The number of turns held, deleted ones included. */
  public int size() {
    checkOpen();
    return responses.size();
  }

  @Override
  public void close() {
    closed = true;
    responses.clear();
    conversations.clear();
    weight.set(0);
  }

  @Override
  public String toString() {
    return "MemoryStateStore[" + responses.size() + " turns" + (closed ? ", closed" : "") + "]";
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException("memory state store");
    }
  }
}
