package io.convstate.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.convstate.ConversationState;
import io.convstate.InputItems;
import io.convstate.StateStore;
import io.convstate.Validation;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * A kit that cannot fail is worthless: for each group, a store that breaks one of its rules must
 * fail it. Each broken store below is the reference store with one deliberate bug.
 */
@DisplayName("The kit fails a store that breaks its rules")
class BrokenStoresFailTheKitTest {

  static Stream<Arguments> brokenStores() {
    return Stream.of(
        broken("drops updated_at", "readBackEqualsWritten", StateStoreCompatibilityKit.Upserts.class, DropsUpdatedAt::new),
        broken("stamps updated_at from the system clock", "updatedAtIsStoreManaged", StateStoreCompatibilityKit.Upserts.class, UsesSystemClock::new),
        broken("replaces created_at on overwrite", "overwriteKeepsCreatedAt", StateStoreCompatibilityKit.Upserts.class, ReplacesCreatedAt::new),
        broken("returns the state handed to put", "putReturnsStored", StateStoreCompatibilityKit.Upserts.class, ReturnsInput::new),
        broken("throws for an unknown id", "unknownIsEmpty", StateStoreCompatibilityKit.Reads.class, ThrowsForUnknown::new),
        broken("deletes nothing but says it did", "deleteOnce", StateStoreCompatibilityKit.Deletes.class, DeleteDoesNothing::new),
        broken("ignores the cleanup cutoff", "deletesBeforeCutoff", StateStoreCompatibilityKit.Cleanup.class, CleanupIgnoresCutoff::new),
        broken("miscounts cleanup", "deletesBeforeCutoff", StateStoreCompatibilityKit.Cleanup.class, CleanupCountsNothing::new),
        broken("rounds numbers through double", "numbersKeepEveryDigit", StateStoreCompatibilityKit.JsonFidelity.class, RoundsNumbers::new),
        broken("changes the previous state on append", "appendKeepsPrevious", StateStoreCompatibilityKit.Isolation.class, MutatesPreviousOnAppend::new),
        broken("appends to an unknown previous id", "unknownPrevious", StateStoreCompatibilityKit.Append.class, AppendsToNothing::new),
        broken("skips id checks", "badIds", StateStoreCompatibilityKit.BadInput.class, SkipsIdChecks::new),
        broken("ignores the size limit", "oversize", StateStoreCompatibilityKit.BadInput.class, IgnoresSizeLimit::new),
        broken("truncates large documents", "sixteenMebibytes", StateStoreCompatibilityKit.LargeDocuments.class, TruncatesLargeDocuments::new),
        broken("loses writes under concurrency", "noLostWrites", StateStoreCompatibilityKit.Concurrency.class, LosesConcurrentWrites::new),
        broken("counts a state deleted by a concurrent cleanup", "cleanupsCountOnce", StateStoreCompatibilityKit.Concurrency.class, CountsOthersDeletions::new),
        broken("tears states under concurrency", "noTornState", StateStoreCompatibilityKit.Concurrency.class, TearsStates::new),
        broken("keeps working after close", "callsAfterClose", StateStoreCompatibilityKit.Closing.class, WorksAfterClose::new),
        Arguments.of("is not registered for discovery", "providerFound", StateStoreCompatibilityKit.Discovery.class, UnregisteredKit.class));
  }

  @ParameterizedTest(name = "a store that {0} fails {1}")
  @MethodSource("brokenStores")
  void brokenStoreFailsItsGroup(
      String bug, String test, Class<?> group, Class<? extends StateStoreCompatibilityKit> kit) {
    BrokenKit.factory = FACTORIES.get(bug);
    Events tests = EngineTestKit.engine("junit-jupiter")
        .selectors(selectNestedClass(List.of(kit), group))
        .execute()
        .testEvents();
    List<String> failed = tests.failed().stream()
        .map(event -> event.getTestDescriptor().getUniqueId().getLastSegment().getValue())
        .collect(Collectors.toList());
    assertThat(tests.started().count()).as("tests run in %s", group.getSimpleName()).isPositive();
    assertThat(failed).as("tests of %s that fail for a store that %s", group.getSimpleName(), bug)
        .contains(test + "()");
  }

  // ---------------------------------------------------------------------------------------------

  private static final Map<String, BiFunction<Clock, Long, StateStore>> FACTORIES = new HashMap<>();

  private static Arguments broken(
      String bug, String test, Class<?> group, BiFunction<Clock, Long, StateStore> factory) {
    FACTORIES.put(bug, factory);
    return Arguments.of(bug, test, group, BrokenKit.class);
  }

  /** The kit on whichever broken store the running case set. Not run by Surefire on its own. */
  static class BrokenKit extends StateStoreCompatibilityKit {
    static volatile BiFunction<Clock, Long, StateStore> factory;

    @Override
    protected StateStore createStore(Clock clock) {
      return factory.apply(clock, maxItemsBytes());
    }

    @Override
    protected String providerType() {
      return ReferenceStoreProvider.TYPE;
    }
  }

  /** A correct store whose provider the kit cannot find. */
  static class UnregisteredKit extends StateStoreCompatibilityKit {
    @Override
    protected StateStore createStore(Clock clock) {
      return new ReferenceStore(clock, maxItemsBytes());
    }

    @Override
    protected String providerType() {
      return "unregistered";
    }
  }

  static final class DropsUpdatedAt extends ReferenceStore {
    DropsUpdatedAt(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized Optional<ConversationState> get(String id) {
      return super.get(id).map(s -> ConversationState.of(s.responseId(), s.items(), s.createdAt(), s.model(), s.provider()));
    }
  }

  static final class UsesSystemClock extends ReferenceStore {
    UsesSystemClock(Clock clock, long max) {
      super(Clock.systemUTC(), max);
    }
  }

  static final class ReplacesCreatedAt extends ReferenceStore {
    ReplacesCreatedAt(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized ConversationState put(ConversationState state) {
      states.remove(state.responseId());
      return super.put(state);
    }
  }

  static final class ReturnsInput extends ReferenceStore {
    ReturnsInput(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized ConversationState put(ConversationState state) {
      super.put(state);
      return state;
    }
  }

  static final class ThrowsForUnknown extends ReferenceStore {
    ThrowsForUnknown(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized Optional<ConversationState> get(String id) {
      return Optional.of(super.get(id).orElseThrow(() -> new IllegalStateException("no state " + id)));
    }
  }

  static final class DeleteDoesNothing extends ReferenceStore {
    DeleteDoesNothing(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized boolean delete(String id) {
      return exists(id);
    }
  }

  static final class CleanupIgnoresCutoff extends ReferenceStore {
    CleanupIgnoresCutoff(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized long deleteUpdatedBefore(Instant cutoff) {
      return super.deleteUpdatedBefore(Instant.MAX);
    }
  }

  static final class CleanupCountsNothing extends ReferenceStore {
    CleanupCountsNothing(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized long deleteUpdatedBefore(Instant cutoff) {
      super.deleteUpdatedBefore(cutoff);
      return 0;
    }
  }

  static final class RoundsNumbers extends ReferenceStore {
    private static final ObjectMapper PLAIN = new ObjectMapper();

    RoundsNumbers(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized ConversationState put(ConversationState state) {
      try {
        InputItems rounded = InputItems.parse(PLAIN.writeValueAsString(PLAIN.readTree(state.items().toJson())));
        return super.put(ConversationState.of(state.responseId(), rounded, state.createdAt(), state.model(), state.provider()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static final class MutatesPreviousOnAppend extends ReferenceStore {
    MutatesPreviousOnAppend(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized void append(String previous, String id, InputItems items, String model, String provider) {
      super.append(previous, id, items, model, provider);
      ConversationState before = states.get(previous);
      states.put(previous, ConversationState.of(previous, before.items().concat(items), before.createdAt(), before.model(), before.provider())
          .withUpdatedAt(before.updatedAt().orElseThrow()));
    }
  }

  static final class AppendsToNothing extends ReferenceStore {
    AppendsToNothing(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized void append(String previous, String id, InputItems items, String model, String provider) {
      InputItems before = states.containsKey(previous) ? states.get(previous).items() : InputItems.empty();
      put(ConversationState.of(id, before.concat(items), 0, model, provider));
    }
  }

  static final class SkipsIdChecks extends ReferenceStore {
    SkipsIdChecks(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized Optional<ConversationState> get(String id) {
      return Optional.ofNullable(states.get(id));
    }

    @Override
    public synchronized boolean exists(String id) {
      return states.containsKey(id);
    }
  }

  static final class IgnoresSizeLimit extends ReferenceStore {
    IgnoresSizeLimit(Clock clock, long max) {
      super(clock, Long.MAX_VALUE);
    }
  }

  static final class TruncatesLargeDocuments extends ReferenceStore {
    TruncatesLargeDocuments(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized ConversationState put(ConversationState state) {
      if (state.items().size() > 5_000 || state.items().jsonBytes() > (8 << 20)) {
        String json = state.items().toJson();
        InputItems cut = InputItems.parse(json.substring(0, json.indexOf("},{") + 1) + "]");
        return super.put(ConversationState.of(state.responseId(), cut, state.createdAt(), state.model(), state.provider()));
      }
      return super.put(state);
    }
  }

  /** Copy-on-write without compare-and-set: concurrent puts overwrite each other's copies. */
  static final class LosesConcurrentWrites extends ReferenceStore {
    private volatile Map<String, ConversationState> snapshot = new HashMap<>();

    LosesConcurrentWrites(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public ConversationState put(ConversationState state) {
      Map<String, ConversationState> copy = new HashMap<>(snapshot);
      Thread.yield();
      ConversationState stored = state.withUpdatedAt(clock.instant());
      copy.put(state.responseId(), stored);
      snapshot = copy;
      return stored;
    }

    @Override
    public Optional<ConversationState> get(String id) {
      return Optional.ofNullable(snapshot.get(Validation.requireName("response_id", id)));
    }
  }

  /** Counts what it meant to delete, not what it deleted. */
  static final class CountsOthersDeletions extends ReferenceStore {
    CountsOthersDeletions(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public long deleteUpdatedBefore(Instant cutoff) {
      List<String> old;
      synchronized (this) {
        old = states.values().stream().filter(s -> s.updatedAt().orElseThrow().isBefore(cutoff))
            .map(ConversationState::responseId).collect(Collectors.toList());
      }
      Thread.yield();
      for (String id : old) {
        synchronized (this) {
          states.remove(id);
        }
      }
      return old.size();
    }
  }

  /** Keeps model and items in separate maps written one after the other, without a lock. */
  static final class TearsStates extends ReferenceStore {
    private final Map<String, ConversationState> items = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, ConversationState> metadata = new java.util.concurrent.ConcurrentHashMap<>();

    TearsStates(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public ConversationState put(ConversationState state) {
      ConversationState stamped = state.withUpdatedAt(clock.instant());
      items.put(state.responseId(), stamped);
      Thread.yield();
      metadata.put(state.responseId(), stamped);
      return stamped;
    }

    @Override
    public Optional<ConversationState> get(String id) {
      ConversationState meta = metadata.get(id);
      ConversationState body = items.get(id);
      if (meta == null || body == null) {
        return Optional.empty();
      }
      return Optional.of(ConversationState.of(id, body.items(), meta.createdAt(), meta.model(), meta.provider())
          .withUpdatedAt(meta.updatedAt().orElseThrow()));
    }
  }

  static final class WorksAfterClose extends ReferenceStore {
    WorksAfterClose(Clock clock, long max) {
      super(clock, max);
    }

    @Override
    public synchronized void close() {
      // forgets to close
    }
  }
}
