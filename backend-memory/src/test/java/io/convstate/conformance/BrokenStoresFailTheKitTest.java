package io.convstate.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;

import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.InvalidInputException;
import io.convstate.ItemPage;
import io.convstate.ItemQuery;
import io.convstate.ResponseConflictException;
import io.convstate.StateStore;
import io.convstate.Turn;
import io.convstate.memory.MemoryStateStore;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * A kit that cannot fail is worthless: for each group, a store that breaks one of its promises
 * must fail a named test of it. Each broken store is the memory store behind a decorator with one
 * deliberate, plausible bug.
 */
@DisplayName("The kit fails a store that breaks its rules")
class BrokenStoresFailTheKitTest {

  /** Opens a broken store. */
  interface Factory {
    StateStore open(Clock clock, long maxItemsBytes);
  }

  static Stream<Arguments> brokenStores() {
    return Stream.of(
        // recording
        broken("drops metadata", "readBackEqualsWritten", StateStoreCompatibilityKit.Recording.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                return super.history(owner, id).map(h -> rebuild(h, t -> t.toBuilder().metadata(null)));
              }
            }),
        broken("stamps recorded_at from the system clock", "recordedAtIsStoreManaged", StateStoreCompatibilityKit.Recording.class,
            (clock, max) -> new ForwardingStore(Clock.systemUTC(), max)),
        broken("keeps recorded_at to the second", "recordedAtMilliseconds", StateStoreCompatibilityKit.Recording.class,
            (clock, max) -> new ForwardingStore(Clock.tick(clock, java.time.Duration.ofSeconds(1)), max)),
        broken("returns the turn handed to record", "recordReturnsStored", StateStoreCompatibilityKit.Recording.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                super.record(turn);
                return turn;
              }
            }),
        broken("takes each turn's own created_at as the conversation's start", "conversationStartFromFirstTurn",
            StateStoreCompatibilityKit.Recording.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                return super.history(owner, id).map(h -> rebuild(h, t -> t.toBuilder().conversationCreatedAt(t.createdAt())));
              }
            }),
        broken("folds the case of ids", "namesAreExact", StateStoreCompatibilityKit.Recording.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                return super.record(Turn.builder(turn.responseId().toLowerCase(Locale.ROOT)).owner(turn.owner().orElse(null))
                    .input(turn.input()).output(turn.output()).model(turn.model()).provider(turn.provider())
                    .createdAt(turn.createdAt()).build());
              }

              @Override
              public Optional<History> history(String owner, String id) {
                return super.history(owner, id.toLowerCase(Locale.ROOT));
              }
            }),
        // create-only
        broken("overwrites a taken id", "conflictKeepsOriginal", StateStoreCompatibilityKit.CreateOnly.class, Overwrites::new),
        broken("compares only the items of a retried turn", "everyFieldCounts", StateStoreCompatibilityKit.CreateOnly.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                try {
                  return super.record(turn);
                } catch (ResponseConflictException e) {
                  Optional<Turn> stored = delegate.history(turn.owner().orElse(null), turn.responseId()).map(History::last);
                  if (stored.isPresent() && stored.get().input().equals(turn.input()) && stored.get().output().equals(turn.output())) {
                    return stored.get();
                  }
                  throw e;
                }
              }
            }),
        broken("refuses the retry of an identical turn", "sameRecordAgain", StateStoreCompatibilityKit.CreateOnly.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              final Map<String, Boolean> seen = new ConcurrentHashMap<>();

              @Override
              public Turn record(Turn turn) {
                if (seen.putIfAbsent(turn.responseId(), true) != null) {
                  throw new ResponseConflictException(turn.responseId());
                }
                return super.record(turn);
              }
            }),
        broken("frees a deleted id", "deletedIdStaysTaken", StateStoreCompatibilityKit.CreateOnly.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              final Map<String, MemoryStateStore> fresh = new ConcurrentHashMap<>();

              @Override
              public Turn record(Turn turn) {
                try {
                  return super.record(turn);
                } catch (ResponseConflictException e) {
                  if (delegate.history(turn.owner().orElse(null), turn.responseId()).isPresent()) {
                    throw e;
                  }
                  return turn.toBuilder().recordedAt(clock.instant()).build();
                }
              }
            }),
        // histories
        broken("throws for an unknown id", "unknownIsEmpty", StateStoreCompatibilityKit.Histories.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                return Optional.of(super.history(owner, id).orElseThrow(() -> new IllegalStateException("no response " + id)));
              }
            }),
        broken("returns the turns newest first", "chainInOrder", StateStoreCompatibilityKit.Histories.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                return super.history(owner, id).map(h -> {
                  List<Turn> turns = new ArrayList<>(h.turns());
                  java.util.Collections.reverse(turns);
                  return relink(turns);
                });
              }
            }),
        broken("starts a new conversation when the previous response is unknown", "unknownPrevious",
            StateStoreCompatibilityKit.Histories.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                if (turn.previousResponseId().isPresent()
                    && delegate.history(turn.owner().orElse(null), turn.previousResponseId().get()).isEmpty()) {
                  return super.record(turn.toBuilder().previousResponseId(null).build());
                }
                return super.record(turn);
              }
            }),
        broken("loads at most 100 turns of a history", "longChain", StateStoreCompatibilityKit.Histories.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                return super.history(owner, id).map(h -> {
                  List<Turn> turns = h.turns();
                  return turns.size() <= 100 ? h : relink(turns.subList(turns.size() - 100, turns.size()));
                });
              }
            }),
        broken("merges forks into one history", "forks", StateStoreCompatibilityKit.Histories.class, MergesForks::new),
        // owners
        broken("ignores owners on reads", "otherOwnerSeesNothing", StateStoreCompatibilityKit.Owners.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                Optional<History> own = super.history(owner, id);
                return own.isPresent() ? own : super.history(owner == null ? "tenant-a" : null, id);
              }
            }),
        broken("lets an owner read unscoped turns", "unscopedIsNotOwned", StateStoreCompatibilityKit.Owners.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                Optional<History> own = super.history(owner, id);
                return own.isPresent() || owner == null ? own : super.history(null, id);
              }
            }),
        broken("tells a foreign previous response from an unknown one", "continuingForeignIsNotFound",
            StateStoreCompatibilityKit.Owners.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                try {
                  return super.record(turn);
                } catch (io.convstate.StateNotFoundException e) {
                  boolean elsewhere = delegate.history(null, e.responseId()).isPresent()
                      || delegate.history("tenant-a", e.responseId()).isPresent();
                  if (elsewhere) {
                    throw new io.convstate.StateNotFoundException(e.responseId() + " (another owner's)");
                  }
                  throw e;
                }
              }
            }),
        broken("deletes another owner's turn", "foreignDelete", StateStoreCompatibilityKit.Owners.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public boolean delete(String owner, String id) {
                return super.delete(owner, id) || super.delete("tenant-a", id);
              }
            }),
        // listings
        broken("lists the response's own output as input", "listsInput", StateStoreCompatibilityKit.InputItemListing.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<ItemPage> inputItems(String owner, String id, ItemQuery query) {
                return delegate.history(owner, id).map(h -> {
                  Turn extra = Turn.builder("resp_extra_" + id).previousResponseId(id).model("m").provider("p").build();
                  return ItemPage.of(h.then(extra), query);
                });
              }
            }),
        broken("lists oldest first by default", "defaultsNewestFirst", StateStoreCompatibilityKit.InputItemListing.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<ItemPage> inputItems(String owner, String id, ItemQuery query) {
                return super.inputItems(owner, id, ItemQuery.of(query.afterId(), query.beforeId(), query.limit(), ItemQuery.Order.ASC));
              }
            }),
        broken("ignores the after cursor", "pagesInBothOrders", StateStoreCompatibilityKit.InputItemListing.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<ItemPage> inputItems(String owner, String id, ItemQuery query) {
                return super.inputItems(owner, id, ItemQuery.of(null, query.beforeId(), query.limit(), query.order()));
              }
            }),
        broken("ignores the before cursor", "beforeCursor", StateStoreCompatibilityKit.InputItemListing.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<ItemPage> inputItems(String owner, String id, ItemQuery query) {
                return super.inputItems(owner, id, ItemQuery.of(query.afterId(), null, query.limit(), query.order()));
              }
            }),
        broken("answers an unknown cursor with an empty listing", "unknownCursor", StateStoreCompatibilityKit.InputItemListing.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<ItemPage> inputItems(String owner, String id, ItemQuery query) {
                try {
                  return super.inputItems(owner, id, query);
                } catch (InvalidInputException e) {
                  return Optional.empty();
                }
              }
            }),
        broken("numbers items by their position in each history", "stableIds", StateStoreCompatibilityKit.InputItemListing.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<ItemPage> inputItems(String owner, String id, ItemQuery query) {
                // every history's items re-attributed to its last turn: ids depend on the history listed
                return delegate.history(owner, id).map(h -> ItemPage.of(History.of(Turn.builder(id)
                    .input(h.items().concat(InputItems.empty())).output(InputItems.empty()).model("m").provider("p").build()
                    .toBuilder().input(withoutLastOutput(h)).build()), query));
              }
            }),
        // deletes
        broken("keeps a deleted response readable", "deleteOnce", StateStoreCompatibilityKit.Deletes.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              final Map<String, History> deleted = new ConcurrentHashMap<>();

              @Override
              public boolean delete(String owner, String id) {
                super.history(owner, id).ifPresent(h -> deleted.put(id, h));
                return super.delete(owner, id);
              }

              @Override
              public Optional<History> history(String owner, String id) {
                Optional<History> live = super.history(owner, id);
                return live.isPresent() ? live : Optional.ofNullable(deleted.get(id));
              }
            }),
        broken("lets a deleted response be continued", "deletedCannotBeContinued", StateStoreCompatibilityKit.Deletes.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public boolean delete(String owner, String id) {
                return delegate.history(owner, id).isPresent();
              }
            }),
        broken("drops deleted turns from later histories", "descendantKeepsHistory", StateStoreCompatibilityKit.Deletes.class,
            DropsDeletedTurns::new),
        // cleanup
        broken("cleans up turn by turn, not by conversation", "continuingKeepsAncestors", StateStoreCompatibilityKit.Cleanup.class,
            CleansTurnByTurn::new),
        broken("takes the cutoff as inclusive", "strictCutoff", StateStoreCompatibilityKit.Cleanup.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public long deleteInactiveBefore(Instant cutoff) {
                return super.deleteInactiveBefore(cutoff.plusMillis(1));
              }
            }),
        broken("counts conversations, not turns", "removesInactiveConversations", StateStoreCompatibilityKit.Cleanup.class,
            CountsConversations::new),
        broken("counts what it found inactive, not what it removed", "cleanupsCountOnce", StateStoreCompatibilityKit.Concurrency.class,
            CountsConversations::turnCounting),
        // JSON
        broken("rounds numbers through double", "numbersKeepEveryDigit", StateStoreCompatibilityKit.JsonFidelity.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                return super.record(turn.toBuilder().input(InputItems.parse(roundNumbers(turn.input().toJson()))).build());
              }
            }),
        broken("turns unpaired surrogates in names into '?'", "namesKeptOrRefused", StateStoreCompatibilityKit.JsonFidelity.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                return super.record(turn.toBuilder().model(question(turn.model())).provider(question(turn.provider())).build());
              }
            }),
        // isolation
        broken("shows later turns in an earlier response's history", "laterTurnLeavesEarlier", StateStoreCompatibilityKit.Isolation.class,
            MergesForks::new),
        // bad input
        broken("skips id checks", "badIds", StateStoreCompatibilityKit.BadInput.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                return id == null || id.isBlank() || id.length() > 512 || id.contains("\0") ? Optional.empty() : super.history(owner, id);
              }

              @Override
              public boolean delete(String owner, String id) {
                return id != null && !id.isBlank() && id.length() <= 512 && !id.contains("\0") && super.delete(owner, id);
              }
            }),
        broken("skips owner checks", "badOwners", StateStoreCompatibilityKit.BadInput.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                return owner != null && (owner.isBlank() || owner.contains("\0") || owner.length() > 512) ? Optional.empty() : super.history(owner, id);
              }
            }),
        broken("checks nothing before a record", "oversize", StateStoreCompatibilityKit.BadInput.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public void checkRecordable(Turn turn) {
                // accepts everything
              }
            }),
        broken("writes in checkRecordable", "checkRecordable", StateStoreCompatibilityKit.BadInput.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public void checkRecordable(Turn turn) {
                if (turn != null && turn.previousResponseId().isEmpty()) {
                  record(turn);
                } else {
                  super.checkRecordable(turn);
                }
              }
            }),
        broken("ignores the size limit", "oversize", StateStoreCompatibilityKit.BadInput.class,
            (clock, max) -> new ForwardingStore(clock, Long.MAX_VALUE)),
        broken("refuses a turn exactly at the limit", "limitFromConfiguration", StateStoreCompatibilityKit.BadInput.class,
            (clock, max) -> new ForwardingStore(clock, max - 1)),
        // large documents
        broken("truncates documents over 8 MiB", "sixteenMebibytes", StateStoreCompatibilityKit.LargeDocuments.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                InputItems input = turn.input().jsonBytes() > (8L << 20) ? InputItems.empty() : turn.input();
                return super.record(turn.toBuilder().input(input).build());
              }
            }),
        // concurrency
        broken("tells two racing recorders of one id that each succeeded", "oneRecordWins", StateStoreCompatibilityKit.Concurrency.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                boolean free = delegate.history(turn.owner().orElse(null), turn.responseId()).isEmpty();
                pause(); // a round trip between the check and the write
                try {
                  return super.record(turn);
                } catch (ResponseConflictException e) {
                  if (free) {
                    return turn.toBuilder().recordedAt(clock.instant()).build();
                  }
                  throw e;
                }
              }
            }),
        broken("lets two racing deletes both say true", "oneDeleteWins", StateStoreCompatibilityKit.Concurrency.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public boolean delete(String owner, String id) {
                boolean present = delegate.history(owner, id).isPresent();
                pause(); // a round trip between the check and the delete
                super.delete(owner, id);
                return present;
              }
            }),
        // closing
        broken("keeps working after close", "callsAfterClose", StateStoreCompatibilityKit.Closing.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public void close() {
                // forgets to close
              }
            }),
        // the Responses helpers end to end
        broken("loses the output of the last turn of a history", "everyTurnMatches", StateStoreCompatibilityKit.ResponsesChain.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                return super.history(owner, id).map(h -> rebuild(h, t -> t.responseId().equals(id) ? t.toBuilder().output(InputItems.empty()) : t.toBuilder()));
              }
            }),
        Arguments.of("is not registered for discovery", "providerFound", StateStoreCompatibilityKit.Discovery.class, UnregisteredKit.class));
  }

  @ParameterizedTest(name = "a store that {0} fails {1}")
  @MethodSource("brokenStores")
  void brokenStoreFailsItsGroup(String bug, String test, Class<?> group, Class<? extends StateStoreCompatibilityKit> kit) {
    BrokenKit.factory = FACTORIES.get(bug);
    try {
      Events tests = EngineTestKit.engine("junit-jupiter")
          .selectors(selectNestedClass(List.of(kit), group))
          .execute()
          .testEvents();
      List<String> failed = tests.failed().stream()
          .map(event -> event.getTestDescriptor().getUniqueId().getLastSegment().getValue())
          .collect(Collectors.toList());
      assertThat(tests.started().count()).as("tests run in %s", group.getSimpleName()).isPositive();
      assertThat(failed).as("tests of %s that fail for a store that %s", group.getSimpleName(), bug).contains(test + "()");
    } finally {
      BrokenKit.factory = null;
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static final Map<String, Factory> FACTORIES = new ConcurrentHashMap<>();

  private static Arguments broken(String bug, String test, Class<?> group, Factory factory) {
    FACTORIES.put(bug, factory);
    return Arguments.of(bug, test, group, BrokenKit.class);
  }

  /** The kit on whichever broken store the running case set. Not run by Surefire on its own. */
  static class BrokenKit extends StateStoreCompatibilityKit {
    static volatile Factory factory;

    @Override
    protected StateStore createStore(Clock clock) {
      return factory.open(clock, maxItemsBytes());
    }

    @Override
    protected String providerType() {
      return BrokenStoreProvider.TYPE;
    }
  }

  /** A correct store whose provider the kit cannot find. */
  static class UnregisteredKit extends StateStoreCompatibilityKit {
    @Override
    protected StateStore createStore(Clock clock) {
      return new MemoryStateStore(clock, maxItemsBytes());
    }

    @Override
    protected String providerType() {
      return "unregistered";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Broken stores that need state of their own

  /** Replaces a turn that conflicts instead of refusing it. */
  static final class Overwrites extends ForwardingStore {
    private final Map<String, History> replaced = new ConcurrentHashMap<>();

    Overwrites(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public Turn record(Turn turn) {
      try {
        return super.record(turn);
      } catch (ResponseConflictException e) {
        History newer = History.of(turn.toBuilder().previousResponseId(null).build());
        replaced.put(turn.responseId(), newer);
        return newer.last();
      }
    }

    @Override
    public Optional<History> history(String owner, String id) {
      History newer = replaced.get(id);
      return newer != null ? Optional.of(newer) : super.history(owner, id);
    }
  }

  /** Keeps one history per conversation: every response reads the conversation's latest. */
  static final class MergesForks extends ForwardingStore {
    private final Map<String, String> rootOf = new ConcurrentHashMap<>();
    private final Map<String, List<Turn>> turnsOf = new ConcurrentHashMap<>();

    MergesForks(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized Turn record(Turn turn) {
      Turn stored = super.record(turn);
      String root = turn.previousResponseId().map(rootOf::get).orElse(turn.responseId());
      rootOf.put(turn.responseId(), root);
      turnsOf.computeIfAbsent(root, r -> new ArrayList<>()).add(stored);
      return stored;
    }

    @Override
    public synchronized Optional<History> history(String owner, String id) {
      return super.history(owner, id).map(h -> {
        List<Turn> all = turnsOf.get(rootOf.get(id));
        return all == null ? h : relink(all);
      });
    }
  }

  /** Leaves deleted turns out of the histories that continue them. */
  static final class DropsDeletedTurns extends ForwardingStore {
    private final Map<String, Boolean> deleted = new ConcurrentHashMap<>();

    DropsDeletedTurns(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public boolean delete(String owner, String id) {
      boolean done = super.delete(owner, id);
      if (done) {
        deleted.put(id, true);
      }
      return done;
    }

    @Override
    public Optional<History> history(String owner, String id) {
      return super.history(owner, id).map(h -> {
        List<Turn> kept = h.turns().stream().filter(t -> !deleted.containsKey(t.responseId())).collect(Collectors.toList());
        return kept.size() == h.size() || kept.isEmpty() ? h : relink(kept);
      });
    }
  }

  /** Removes each turn recorded before the cutoff, whatever its conversation's later activity. */
  static final class CleansTurnByTurn extends ForwardingStore {
    private final Map<String, Instant> recorded = new ConcurrentHashMap<>();

    CleansTurnByTurn(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public Turn record(Turn turn) {
      Turn stored = super.record(turn);
      recorded.put(stored.responseId(), stored.recordedAt().orElseThrow());
      return stored;
    }

    @Override
    public Optional<History> history(String owner, String id) {
      return recorded.containsKey(id) ? super.history(owner, id) : Optional.empty();
    }

    @Override
    public long deleteInactiveBefore(Instant cutoff) {
      long removed = 0;
      for (Map.Entry<String, Instant> entry : recorded.entrySet()) {
        if (entry.getValue().isBefore(cutoff) && recorded.remove(entry.getKey(), entry.getValue())) {
          removed++;
        }
      }
      super.deleteInactiveBefore(cutoff);
      return removed;
    }
  }

  /** Counts conversations instead of turns; or, as turnCounting, what it found rather than what it removed. */
  static final class CountsConversations extends ForwardingStore {
    private final Map<String, String> rootOf = new ConcurrentHashMap<>();
    private final Map<String, Instant> activity = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> turns = new ConcurrentHashMap<>();
    private final boolean countTurns;

    CountsConversations(Clock clock, long max) {
      this(clock, max, false);
    }

    private CountsConversations(Clock clock, long max, boolean countTurns) {
      super(clock, max);
      this.countTurns = countTurns;
    }

    static CountsConversations turnCounting(Clock clock, long max) {
      return new CountsConversations(clock, max, true);
    }

    @Override
    public Turn record(Turn turn) {
      Turn stored = super.record(turn);
      String root = turn.previousResponseId().map(rootOf::get).orElse(turn.responseId());
      rootOf.put(turn.responseId(), root);
      activity.merge(root, stored.recordedAt().orElseThrow(), (a, b) -> a.isAfter(b) ? a : b);
      turns.computeIfAbsent(root, r -> new AtomicLong()).incrementAndGet();
      return stored;
    }

    @Override
    public long deleteInactiveBefore(Instant cutoff) {
      long found = 0;
      for (Map.Entry<String, Instant> entry : activity.entrySet()) {
        if (entry.getValue().isBefore(cutoff)) {
          found += countTurns ? turns.get(entry.getKey()).get() : 1;
        }
      }
      super.deleteInactiveBefore(cutoff);
      return found;
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** The same turns, each rebuilt by change, in a history again. */
  static History rebuild(History history, java.util.function.Function<Turn, Turn.Builder> change) {
    List<Turn> turns = new ArrayList<>();
    for (Turn turn : history.turns()) {
      turns.add(change.apply(turn).build());
    }
    return History.of(turns);
  }

  /** Turns chained in the given order, whatever their previous ids were. */
  static History relink(List<Turn> turns) {
    History history = History.of(turns.get(0).toBuilder().previousResponseId(null).build());
    for (int i = 1; i < turns.size(); i++) {
      history = history.then(turns.get(i).toBuilder().previousResponseId(history.responseId()).build());
    }
    return history;
  }

  static InputItems withoutLastOutput(History history) {
    InputItems before = history.previous() == null ? InputItems.empty() : history.previous().items();
    return before.concat(history.last().input());
  }

  static String roundNumbers(String json) {
    java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("(?<=[:\\[,])-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?").matcher(json);
    StringBuilder rounded = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(rounded, new BigDecimal(Double.toString(new BigDecimal(matcher.group()).doubleValue())).toString());
    }
    matcher.appendTail(rounded);
    return rounded.toString();
  }

  static String question(String name) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean paired = Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1));
      if (paired) {
        out.append(c).append(name.charAt(++i));
      } else {
        out.append(Character.isSurrogate(c) ? '?' : c);
      }
    }
    return out.toString();
  }

  static void pause() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
