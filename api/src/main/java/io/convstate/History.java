package io.convstate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The chain of turns from the first of a conversation to one response: what a request that
 * continues from that response sends upstream.
 *
 * <p>A history is a persistent list: {@link #then(Turn)} makes a longer one that shares this one
 * whole, so a store or cache that keeps the history of every response of an n-turn conversation
 * holds each turn once. Immutable and thread-safe.
 */
public final class History {

  private final History previous;
  private final Turn last;
  private final int size;
  private final InputItems items;

  private History(History previous, Turn last) {
    this.previous = previous;
    this.last = last;
    this.size = previous == null ? 1 : previous.size + 1;
    InputItems before = previous == null ? InputItems.empty() : previous.items;
    this.items = before.concat(last.input()).concat(last.output());
  }

  /**
   * The history of a conversation's first turn.
   *
   * @throws IllegalArgumentException when first continues another response
   */
  public static History of(Turn first) {
    if (first.previousResponseId().isPresent()) {
      throw new IllegalArgumentException(first.responseId() + " continues "
          + first.previousResponseId().get() + ": a history starts with a first turn");
    }
    return new History(null, first);
  }

  /**
   * The history of turns in order, first turn first.
   *
   * @throws IllegalArgumentException when turns is empty or is not a chain (each turn's previous
   *     response id the id of the turn before it, the first turn's absent)
   */
  public static History of(List<Turn> turns) {
    if (turns.isEmpty()) {
      throw new IllegalArgumentException("a history has at least one turn");
    }
    History history = of(turns.get(0));
    for (int i = 1; i < turns.size(); i++) {
      history = history.then(turns.get(i));
    }
    return history;
  }

  /**
   * This history followed by {@code next}, sharing this one.
   *
   * @throws IllegalArgumentException when next does not continue {@link #responseId()}
   */
  public History then(Turn next) {
    Objects.requireNonNull(next, "next");
    if (!next.previousResponseId().map(responseId()::equals).orElse(false)) {
      throw new IllegalArgumentException(next.responseId() + " does not continue " + responseId());
    }
    return new History(this, next);
  }

  /** The response this history leads to: the last turn's id. */
  public String responseId() {
    return last.responseId();
  }

  /** The last turn: the response itself. */
  public Turn last() {
    return last;
  }

  /** The history before the last turn; null for a conversation's first turn. */
  public History previous() {
    return previous;
  }

  /** The number of turns. */
  public int size() {
    return size;
  }

  /** The turns, first turn first. */
  public List<Turn> turns() {
    Turn[] turns = new Turn[size];
    History node = this;
    for (int i = size - 1; i >= 0; i--, node = node.previous) {
      turns[i] = node.last;
    }
    return Collections.unmodifiableList(java.util.Arrays.asList(turns));
  }

  /**
   * Every turn's input then output items, first turn first: the items a request continuing from
   * {@link #responseId()} puts before its own input. Shares structure; costs no copy.
   */
  public InputItems items() {
    return items;
  }

  /** Unix seconds when the conversation started: the first turn's {@code created_at}. */
  public long conversationCreatedAt() {
    return last.conversationCreatedAt();
  }

  /** The response ids, first turn first (for messages and tests). */
  public List<String> responseIds() {
    List<String> ids = new ArrayList<>(size);
    for (Turn turn : turns()) {
      ids.add(turn.responseId());
    }
    return ids;
  }

  @Override
  public String toString() {
    return "History[" + responseId() + ", " + size + " turns, " + items + "]";
  }
}
