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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link StateStore} in this process's heap: the embedded default (type {@code memory}).
 * Turns are lost when the process ends; use it for development, tests and single-instance hosts.
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

  /** The turns of one conversation and its last activity; guarded by its own monitor. */
  private static final class Conversation {
    final List<String> responseIds = new ArrayList<>();
    Instant lastActivity;
    boolean removed;
  }

  private final ConcurrentMap<String, Entry> responses = new ConcurrentHashMap<>();
  private final ConcurrentMap<Conversation, Boolean> conversations = new ConcurrentHashMap<>();
  private final Clock clock;
  private final long maxItemsBytes;
  private volatile boolean closed;

  /** A store on the system clock with the default {@code max_items_bytes} (64 MiB). */
  public MemoryStateStore() {
    this(Clock.systemUTC(), StoreConfig.DEFAULT_MAX_ITEMS_BYTES);
  }

  /**
   * @param clock the source of every {@code recorded_at}
   * @param maxItemsBytes the largest turn accepted, in bytes of JSON
   */
  public MemoryStateStore(Clock clock, long maxItemsBytes) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxItemsBytes < 2) {
      throw new IllegalArgumentException("maxItemsBytes must be at least 2, was " + maxItemsBytes);
    }
    this.maxItemsBytes = maxItemsBytes;
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
      if (previous == null) {
        conversations.put(conversation, Boolean.TRUE);
      }
      return stored;
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
      synchronized (conversation) {
        if (conversation.removed || !conversation.lastActivity.isBefore(cutoff)) {
          continue;
        }
        conversation.removed = true;
        for (String responseId : conversation.responseIds) {
          responses.remove(responseId);
        }
        removed += conversation.responseIds.size();
      }
      conversations.remove(conversation);
    }
    return removed;
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
