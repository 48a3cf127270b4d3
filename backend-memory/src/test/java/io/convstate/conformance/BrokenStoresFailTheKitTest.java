package io.convstate.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;

import org.junit.platform.engine.discovery.DiscoverySelectors;

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
        broken("overwrites a taken id", StateStoreCompatibilityKit.CreateOnly.class, Overwrites::new, "conflictKeepsOriginal", "conflictLeavesChainAlone"),
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
        broken("rounds numbers through double", StateStoreCompatibilityKit.JsonFidelity.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                return super.record(turn.toBuilder().input(InputItems.parse(roundNumbers(turn.input().toJson()))).build());
              }
            }, "numbersKeepEveryDigit", "boundaryNumbers"),
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
        broken("clamps an out-of-range cutoff", "cutoffRange", StateStoreCompatibilityKit.BadInput.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public long deleteInactiveBefore(Instant cutoff) {
                return super.deleteInactiveBefore(cutoff != null && cutoff.isAfter(io.convstate.Validation.LATEST_CUTOFF)
                    ? io.convstate.Validation.LATEST_CUTOFF : cutoff);
              }
            }),
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
        // more recording, histories and owners
        broken("overflows created_at past 2038", "createdAtRange", StateStoreCompatibilityKit.Recording.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                return super.record(turn.toBuilder().createdAt((int) turn.createdAt() & 0x7fffffffL).build());
              }
            }),
        broken("refuses a turn with empty output", "emptyTurn", StateStoreCompatibilityKit.Recording.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                if (turn.output().isEmpty()) {
                  throw new InvalidInputException("output", "must not be empty");
                }
                return super.record(turn);
              }
            }),
        broken("returns the whole history as a turn's input", "turnHoldsOnlyItsOwn", StateStoreCompatibilityKit.Histories.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<Turn> turn(String owner, String id) {
                return super.history(owner, id).map(h -> h.last().toBuilder().input(withoutLastOutput(h)).build());
              }
            }),
        broken("assumes a response is continued once (no forks)", StateStoreCompatibilityKit.Histories.class, RefusesForks::new, "forks"),
        broken("assumes no forks, under concurrency too", StateStoreCompatibilityKit.Concurrency.class, RefusesForks::new, "concurrentForks"),
        broken("drops the owner of a continuing turn", "ownChain", StateStoreCompatibilityKit.Owners.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                Optional<History> own = super.history(owner, id);
                return own.filter(h -> h.size() == 1 || owner == null);
              }
            }),
        broken("reads another owner's history for the Responses helpers", "unknownPrevious", StateStoreCompatibilityKit.ResponsesChain.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                Optional<History> own = super.history(owner, id);
                return own.isPresent() ? own : super.history("someone-else", id);
              }
            }),
        // more listings
        broken("caps the limit at 50", "limitBounds", StateStoreCompatibilityKit.InputItemListing.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<ItemPage> inputItems(String owner, String id, ItemQuery query) {
                return super.inputItems(owner, id, ItemQuery.of(query.afterId(), query.beforeId(), Math.min(50, query.limit()), query.order()));
              }
            }),
        broken("lists the latest branch of the conversation", StateStoreCompatibilityKit.InputItemListing.class, MergesForks::new,
            "cursorsStableWhileRecording"),
        broken("lists at most 1,000 items of a turn", "tenThousandItems", StateStoreCompatibilityKit.LargeDocuments.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                return super.history(owner, id).map(h -> rebuild(h, t -> t.input().size() <= 1_000 ? t.toBuilder()
                    : t.toBuilder().input(InputItems.parse(t.input().elements().subList(0, 1_000).stream()
                        .collect(Collectors.joining(",", "[", "]"))))));
              }
            }),
        // more deletes
        broken("says true for deleting an unknown id", "deleteUnknown", StateStoreCompatibilityKit.Deletes.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public boolean delete(String owner, String id) {
                super.delete(owner, id);
                return true;
              }
            }),
        broken("deletes every later turn with a response", StateStoreCompatibilityKit.Deletes.class, DeletesDescendants::new, "deleteOnlyNamed"),
        broken("deletes later turns too, under load", StateStoreCompatibilityKit.Concurrency.class, DeletesDescendants::new, "mixedWorkload"),
        // more cleanup and time
        broken("takes the last recording, not the latest, as activity", StateStoreCompatibilityKit.Cleanup.class,
            (clock, max) -> new TrackingStore(clock, max).lastRecordIsActivity(), "clockOrder"),
        broken("counts a delete as activity", StateStoreCompatibilityKit.Cleanup.class,
            (clock, max) -> new TrackingStore(clock, max).deleteIsActivity(), "deleteIsNotActivity"),
        broken("takes the epoch as no cutoff at all", StateStoreCompatibilityKit.Cleanup.class,
            (clock, max) -> new TrackingStore(clock, max).epochMeansAll(), "nothingToDelete"),
        broken("leaves deleted turns out of the count", StateStoreCompatibilityKit.Cleanup.class,
            (clock, max) -> new TrackingStore(clock, max).skipsDeleted(), "removesDeletedTurns"),
        broken("cleans one batch of 1,000 conversations only", StateStoreCompatibilityKit.Cleanup.class,
            (clock, max) -> new TrackingStore(clock, max).oneBatchOnly(), "thousands"),
        broken("removes turns one by one without a lock", StateStoreCompatibilityKit.Concurrency.class,
            (clock, max) -> new TrackingStore(clock, max).racy(), "cleanupRacingRecords"),
        broken("writes times as local wall-clock time and reads them as UTC", StateStoreCompatibilityKit.OtherZone.class,
            (clock, max) -> new TrackingStore(clock, max).localTime(), "springForwardGap", "fallBackHour"),
        // more JSON
        broken("drops keys whose value is null", StateStoreCompatibilityKit.JsonFidelity.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                return super.record(turn.toBuilder().input(InputItems.parse(turn.input().toJson().replaceAll(",?\"[^\"]*\":null", "")
                    .replace("{,", "{"))).build());
              }
            }, "edgeCases", "itemShapes"),
        broken("strips NUL characters", "charactersSomeBackendsCannotKeep", StateStoreCompatibilityKit.JsonFidelity.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                return super.record(turn.toBuilder().input(InputItems.parse(turn.input().toJson().replace("\\u0000", ""))).build());
              }
            }),
        // more bad input, concurrency, closing and discovery
        broken("takes a null query as the first page and a null cutoff as now", "nullArguments", StateStoreCompatibilityKit.BadInput.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<ItemPage> inputItems(String owner, String id, ItemQuery query) {
                return super.inputItems(owner, id, query == null ? ItemQuery.firstPage() : query);
              }

              @Override
              public long deleteInactiveBefore(Instant cutoff) {
                return super.deleteInactiveBefore(cutoff == null ? clock.instant() : cutoff);
              }
            }),
        broken("loses a turn when two records overlap", "noLostWrites", StateStoreCompatibilityKit.Concurrency.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

              @Override
              public Turn record(Turn turn) {
                boolean overlapping = inFlight.incrementAndGet() > 1;
                try {
                  pause();
                  return overlapping && turn.previousResponseId().isPresent()
                      ? turn.toBuilder().recordedAt(clock.instant()).build()
                      : super.record(turn);
                } finally {
                  inFlight.decrementAndGet();
                }
              }
            }),
        broken("throws from ping on a healthy store", "pingAnswers", StateStoreCompatibilityKit.Closing.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public void ping() {
                throw new io.convstate.StorageException("ping is not implemented");
              }
            }),
        broken("fails a second close", "closeTwice", StateStoreCompatibilityKit.Closing.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              boolean closed;

              @Override
              public void close() {
                if (closed) {
                  throw new IllegalStateException("already closed");
                }
                closed = true;
                super.close();
              }
            }),
        broken("opens a store that cannot record", "opensFromConfiguration", StateStoreCompatibilityKit.Discovery.class,
            (clock, max) -> new ForwardingStore(clock, max)),
        broken("accepts unknown options", "unknownOption", StateStoreCompatibilityKit.Discovery.class,
            (clock, max) -> new ForwardingStore(clock, max)),
        // the failure tier
        broken("answers reads with empty during an outage", StorageFaultsCompatibilityKit.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Optional<History> history(String owner, String id) {
                return outage.broken() ? Optional.empty() : super.history(owner, id);
              }

              @Override
              public Optional<ItemPage> inputItems(String owner, String id, ItemQuery query) {
                return outage.broken() ? Optional.empty() : super.inputItems(owner, id, query);
              }
            }, "noFailureLooksLikeAbsence"),
        broken("answers writes with false, zero and the turn itself during an outage", StorageFaultsCompatibilityKit.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public Turn record(Turn turn) {
                return outage.broken() ? turn.toBuilder().recordedAt(clock.instant()).build() : super.record(turn);
              }

              @Override
              public boolean delete(String owner, String id) {
                return !outage.broken() && super.delete(owner, id);
              }

              @Override
              public long deleteInactiveBefore(Instant cutoff) {
                return outage.broken() ? 0 : super.deleteInactiveBefore(cutoff);
              }
            }, "everyOperationFailsTyped"),
        broken("answers ping without asking the storage", StorageFaultsCompatibilityKit.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              public void ping() {
                // always healthy
              }
            }, "everyOperationFailsTyped"),
        broken("stays broken after the storage is back", StorageFaultsCompatibilityKit.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              volatile boolean failed;

              @Override
              void reach() {
                if (outage.broken()) {
                  failed = true;
                }
                if (failed) {
                  throw new io.convstate.StorageUnavailableException("connection lost for good", null);
                }
              }
            }, "recoversAfterRestore", "everyOperationFailsTyped", "noFailureLooksLikeAbsence"),
        // the shared-storage tier
        broken("keeps each instance's turns to itself", SharedStorageCompatibilityKit.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              StateStore secondInstance() {
                return new ForwardingStore(clock, max);
              }
            }, "recordVisibleAtOnce", "continuesAcrossInstances", "conflictsAcrossInstances"),
        broken("serves another instance's deletes and cleanups from its cache", SharedStorageCompatibilityKit.class,
            (clock, max) -> new ForwardingStore(clock, max) {
              @Override
              StateStore secondInstance() {
                return new ForwardingStore(this) {
                  final Map<String, History> cache = new ConcurrentHashMap<>();

                  @Override
                  public Optional<History> history(String owner, String id) {
                    History cached = cache.get(id);
                    if (cached != null) {
                      return Optional.of(cached);
                    }
                    Optional<History> read = super.history(owner, id);
                    read.ifPresent(h -> cache.put(id, h));
                    return read;
                  }
                };
              }
            }, "deleteVisible", "cleanupVisible"),
        Arguments.of("is not registered for discovery", "providerFound", StateStoreCompatibilityKit.Discovery.class, UnregisteredKit.class));
  }

  @ParameterizedTest(name = "a store that {0} fails {1}")
  @MethodSource("brokenStores")
  void brokenStoreFailsItsGroup(String bug, String tests, Class<?> group, Class<? extends KitSupport> kit) {
    BrokenKit.factory = FACTORIES.get(bug);
    BrokenStoreProvider.bug = bug;
    try {
      Events events = EngineTestKit.engine("junit-jupiter")
          .selectors(selector(kit, group))
          .execute()
          .testEvents();
      List<String> failed = events.failed().stream()
          .map(event -> event.getTestDescriptor().getUniqueId().getLastSegment().getValue())
          .collect(Collectors.toList());
      assertThat(events.started().count()).as("tests run in %s", group.getSimpleName()).isPositive();
      assertThat(events.skipped().count()).as("tests skipped in %s", group.getSimpleName()).isZero();
      for (String test : tests.split(",")) {
        assertThat(failed).as("tests of %s that fail for a store that %s", group.getSimpleName(), bug).contains(test + "()");
      }
    } finally {
      BrokenKit.factory = null;
      BrokenStoreProvider.bug = null;
    }
  }

  @org.junit.jupiter.api.Test
  @DisplayName("every test of the kit and of its tiers fails for at least one broken store: none is unable to fail")
  void everyKitTestCanFail() {
    java.util.Set<String> covered = new java.util.TreeSet<>();
    List<Arguments> cases = brokenStores().collect(Collectors.toList());
    assertThat(cases.stream().map(arguments -> arguments.get()[0]).distinct().count()).as("distinct bug names").isEqualTo(cases.size());
    cases.forEach(arguments -> {
      Object[] values = arguments.get();
      for (String test : ((String) values[1]).split(",")) {
        covered.add(((Class<?>) values[2]).getSimpleName() + "." + test);
      }
    });
    java.util.Set<String> all = new java.util.TreeSet<>();
    for (Class<?> type = StateStoreCompatibilityKit.class; type != Object.class; type = type.getSuperclass()) {
      for (Class<?> group : type.getDeclaredClasses()) {
        if (group.isAnnotationPresent(org.junit.jupiter.api.Nested.class)) {
          testsOf(group, all);
        }
      }
    }
    testsOf(StorageFaultsCompatibilityKit.class, all);
    testsOf(SharedStorageCompatibilityKit.class, all);
    assertThat(all).as("kit tests").hasSizeGreaterThan(80);
    assertThat(covered).as("tests a broken store is expected to fail").containsAll(all);
  }

  private static void testsOf(Class<?> group, java.util.Set<String> into) {
    for (java.lang.reflect.Method method : group.getDeclaredMethods()) {
      if (method.isAnnotationPresent(org.junit.jupiter.api.Test.class)) {
        into.add(group.getSimpleName() + "." + method.getName());
      }
    }
  }

  private static org.junit.platform.engine.DiscoverySelector selector(Class<? extends KitSupport> kit, Class<?> group) {
    if (group == StorageFaultsCompatibilityKit.class) {
      return DiscoverySelectors.selectClass(BrokenFaultsKit.class);
    }
    if (group == SharedStorageCompatibilityKit.class) {
      return DiscoverySelectors.selectClass(BrokenSharedKit.class);
    }
    return selectNestedClass(List.of(kit), group);
  }

  // ---------------------------------------------------------------------------------------------

  private static final Map<String, Factory> FACTORIES = new ConcurrentHashMap<>();

  private static Arguments broken(String bug, String test, Class<?> group, Factory factory) {
    return broken(bug, group, factory, test);
  }

  /** A broken store that must fail every one of tests in group (a nested group, or a tier kit). */
  private static Arguments broken(String bug, Class<?> group, Factory factory, String... tests) {
    FACTORIES.put(bug, factory);
    return Arguments.of(bug, String.join(",", tests), group, BrokenKit.class);
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

  /** The failure tier on whichever broken store the running case set. */
  static class BrokenFaultsKit extends StorageFaultsCompatibilityKit {
    @Override
    protected StateStore createStore(Clock clock) {
      return BrokenKit.factory.open(clock, maxItemsBytes());
    }

    @Override
    protected String providerType() {
      return BrokenStoreProvider.TYPE;
    }

    @Override
    protected StorageFaults storageFaults() {
      return ((ForwardingStore) store).outage;
    }

    @Override
    protected java.time.Duration recoveryTimeout() {
      return java.time.Duration.ofSeconds(1);
    }
  }

  /** The shared-storage tier on whichever broken store the running case set. */
  static class BrokenSharedKit extends SharedStorageCompatibilityKit {
    @Override
    protected StateStore createStore(Clock clock) {
      return BrokenKit.factory.open(clock, maxItemsBytes());
    }

    @Override
    protected String providerType() {
      return BrokenStoreProvider.TYPE;
    }

    @Override
    protected StateStore createSecondInstance(Clock clock) {
      return ((ForwardingStore) store).secondInstance();
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

  /** Replaces a turn that conflicts instead of refusing it, in its own and in later histories. */
  static final class Overwrites extends ForwardingStore {
    private final Map<String, Turn> replaced = new ConcurrentHashMap<>();

    Overwrites(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public Turn record(Turn turn) {
      try {
        return super.record(turn);
      } catch (ResponseConflictException e) {
        Turn stored = delegate.history(turn.owner().orElse(null), turn.responseId()).orElseThrow(() -> e).last();
        Turn newer = turn.toBuilder().previousResponseId(stored.previousResponseId().orElse(null))
            .conversationCreatedAt(stored.conversationCreatedAt()).recordedAt(stored.recordedAt().orElseThrow()).build();
        replaced.put(turn.responseId(), newer);
        return newer;
      }
    }

    @Override
    public Optional<History> history(String owner, String id) {
      return super.history(owner, id).map(h -> rebuild(h, t -> replaced.getOrDefault(t.responseId(), t).toBuilder()));
    }
  }

  /** Refuses to record a second turn continuing the same response. */
  static final class RefusesForks extends ForwardingStore {
    private final Map<String, Boolean> continued = new ConcurrentHashMap<>();

    RefusesForks(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public Turn record(Turn turn) {
      if (turn.previousResponseId().isPresent() && continued.putIfAbsent(turn.previousResponseId().get(), true) != null) {
        throw new ResponseConflictException(turn.previousResponseId().get());
      }
      return super.record(turn);
    }
  }

  /** Deletes a response and every response recorded after it in its conversation. */
  static final class DeletesDescendants extends ForwardingStore {
    private final Map<String, List<String>> children = new ConcurrentHashMap<>();

    DeletesDescendants(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public Turn record(Turn turn) {
      Turn stored = super.record(turn);
      turn.previousResponseId().ifPresent(p -> children.computeIfAbsent(p, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(turn.responseId()));
      return stored;
    }

    @Override
    public boolean delete(String owner, String id) {
      boolean deleted = super.delete(owner, id);
      if (deleted) {
        for (String child : children.getOrDefault(id, List.of())) {
          delete(owner, child);
        }
      }
      return deleted;
    }
  }

  /**
   * Does cleanup itself, on its own record of conversations, hiding what it removed; each switch
   * turns on one plausible bug of a hand-written cleanup.
   */
  static final class TrackingStore extends ForwardingStore {
    private final Clock clock;
    private final Map<String, String> rootOf = new ConcurrentHashMap<>();
    private final Map<String, List<String>> turnsOf = new ConcurrentHashMap<>();
    private final Map<String, Instant> activity = new ConcurrentHashMap<>();
    private final Map<String, Instant> recordedAt = new ConcurrentHashMap<>();
    private final java.util.Set<String> hidden = ConcurrentHashMap.newKeySet();
    private boolean lastRecordIsActivity;
    private boolean deleteIsActivity;
    private boolean epochMeansAll;
    private boolean oneBatchOnly;
    private boolean racy;
    private boolean localTime;
    private boolean skipsDeleted;
    private final java.util.Set<String> deleted = ConcurrentHashMap.newKeySet();

    TrackingStore(Clock clock, long max) {
      super(clock, max);
      this.clock = clock;
    }

    TrackingStore lastRecordIsActivity() {
      lastRecordIsActivity = true;
      return this;
    }

    TrackingStore deleteIsActivity() {
      deleteIsActivity = true;
      return this;
    }

    TrackingStore epochMeansAll() {
      epochMeansAll = true;
      return this;
    }

    TrackingStore oneBatchOnly() {
      oneBatchOnly = true;
      return this;
    }

    TrackingStore racy() {
      racy = true;
      return this;
    }

    TrackingStore skipsDeleted() {
      skipsDeleted = true;
      return this;
    }

    TrackingStore localTime() {
      localTime = true;
      return this;
    }

    @Override
    public Turn record(Turn turn) {
      if (racy) {
        return recordUnlocked(turn);
      }
      synchronized (this) {
        return recordUnlocked(turn);
      }
    }

    private Turn recordUnlocked(Turn turn) {
      if (turn.previousResponseId().map(hidden::contains).orElse(false)) {
        throw new io.convstate.StateNotFoundException(turn.previousResponseId().get());
      }
      Turn stored = super.record(turn);
      Instant at = shown(stored.recordedAt().orElseThrow());
      String root = turn.previousResponseId().map(rootOf::get).orElse(turn.responseId());
      rootOf.put(turn.responseId(), root);
      recordedAt.put(turn.responseId(), at);
      turnsOf.computeIfAbsent(root, r -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(turn.responseId());
      if (lastRecordIsActivity) {
        activity.put(root, at);
      } else {
        activity.merge(root, at, (a, b) -> a.isAfter(b) ? a : b);
      }
      return stored.toBuilder().recordedAt(at).build();
    }

    @Override
    public Optional<History> history(String owner, String id) {
      if (hidden.contains(id)) {
        return Optional.empty();
      }
      return super.history(owner, id).map(h -> {
        List<Turn> kept = h.turns().stream().filter(t -> !hidden.contains(t.responseId()))
            .map(t -> t.toBuilder().recordedAt(recordedAt.getOrDefault(t.responseId(), t.recordedAt().orElseThrow())).build())
            .collect(Collectors.toList());
        return relink(kept);
      });
    }

    @Override
    public synchronized boolean delete(String owner, String id) {
      boolean done = !hidden.contains(id) && super.delete(owner, id);
      if (done) {
        deleted.add(id);
      }
      if (done && deleteIsActivity) {
        activity.put(rootOf.get(id), shown(clock.instant()));
      }
      return done;
    }

    @Override
    public long deleteInactiveBefore(Instant cutoff) {
      reach();
      io.convstate.Validation.requireCutoff(cutoff);
      if (racy) {
        return cleanUp(cutoff);
      }
      synchronized (this) {
        return cleanUp(cutoff);
      }
    }

    private long cleanUp(Instant cutoff) {
      Instant limit = epochMeansAll && cutoff.equals(Instant.EPOCH) ? Instant.MAX : cutoff;
      long removed = 0;
      int conversations = 0;
      for (Map.Entry<String, Instant> entry : new ArrayList<>(activity.entrySet())) {
        if (!entry.getValue().isBefore(limit) || (oneBatchOnly && conversations == 1_000)) {
          continue;
        }
        conversations++;
        activity.remove(entry.getKey());
        for (String id : turnsOf.getOrDefault(entry.getKey(), List.of())) {
          if (racy) {
            pause();
          }
          if (hidden.add(id) && !(skipsDeleted && deleted.contains(id))) {
            removed++;
          }
        }
      }
      return removed;
    }

    private Instant shown(Instant instant) {
      return localTime
          ? java.time.LocalDateTime.ofInstant(instant, java.time.ZoneId.systemDefault()).toInstant(java.time.ZoneOffset.UTC)
          : instant;
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
      Thread.sleep(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
