package io.convstate.conformance;

import static io.convstate.conformance.JsonAssertions.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.InvalidInputException;
import io.convstate.ItemQuery;
import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The hooks and helpers of {@link StateStoreCompatibilityKit}; extend the kit, not this class.
 *
 * <p>Each test gets a new, empty store from {@link #createStore} on a {@link TestClock} the kit
 * moves by hand, and closes it afterwards.
 */
public abstract class KitSupport {

  /** The model, provider and created_at of the kit's turns unless a test says otherwise. */
  protected static final String MODEL = "gpt-4o";
  protected static final String PROVIDER = "openai";
  protected static final long CREATED_AT = 1_767_225_600L;

  /** The kit's clock; every store the kit creates must take {@code recorded_at} from it. */
  protected final TestClock clock = new TestClock();

  /** The store under test, created before each test and closed after it. */
  protected StateStore store;

  /**
   * A new store with no turns in it, whose {@code recorded_at} comes from {@code clock}, with a
   * {@code max_items_bytes} of {@link #maxItemsBytes()}.
   */
  protected abstract StateStore createStore(Clock clock);

  /** The type name under which the backend's provider is registered. */
  protected abstract String providerType();

  /**
   * Options (besides {@code type} and {@code max_items_bytes}) with which {@link
   * io.convstate.StateStores#open} opens a working store of this backend on the same storage as
   * {@link #createStore}. None by default.
   */
  protected Map<String, String> providerConfiguration() {
    return Map.of();
  }

  /** The {@code max_items_bytes} of the stores {@link #createStore} makes; at least 17 MiB. */
  protected long maxItemsBytes() {
    return StoreConfig.DEFAULT_MAX_ITEMS_BYTES;
  }

  /**
   * Whether the backend keeps strings with a NUL character (U+0000) or an unpaired surrogate
   * exactly. When false, it must refuse them with {@link InvalidInputException} naming the field
   * that holds them; either way it never alters them.
   */
  protected boolean keepsEveryCharacter() {
    return true;
  }

  /** Capability: {@link StateStore#deleteInactiveBefore} is implemented. */
  protected boolean supportsCleanup() {
    return true;
  }

  @BeforeEach
  void openStore() {
    store = createStore(clock);
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Building turns

  /** Items from JSON text. */
  protected static InputItems items(String json) {
    return InputItems.parse(json);
  }

  /** n small message items, tagged with tag. */
  protected static InputItems messages(String tag, int n) {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"")
          .append(tag).append(' ').append(i).append("\"}]}");
    }
    return InputItems.parse(json.append(']').toString());
  }

  /** A first turn of id: one input message, one output message, the kit's model and created_at. */
  protected static Turn.Builder turn(String responseId) {
    return Turn.builder(responseId)
        .input(messages(responseId + " asks", 1))
        .output(items("[{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\""
            + responseId + " answers\"}]}]"))
        .model(MODEL)
        .provider(PROVIDER)
        .createdAt(CREATED_AT);
  }

  /** As {@link #turn(String)}, continuing previousResponseId. */
  protected static Turn.Builder turn(String previousResponseId, String responseId) {
    return turn(responseId).previousResponseId(previousResponseId);
  }

  /** Records a first turn of id. */
  protected Turn first(String responseId) {
    return store.record(turn(responseId).build());
  }

  /** Records a chain of turns, the first one starting a conversation; returns the last. */
  protected Turn chain(String... responseIds) {
    Turn last = first(responseIds[0]);
    for (int i = 1; i < responseIds.length; i++) {
      last = store.record(turn(responseIds[i - 1], responseIds[i]).build());
    }
    return last;
  }

  /** The unscoped history of id, which must be present. */
  protected History history(String responseId) {
    Optional<History> history = store.history(null, responseId);
    assertThat(history).as("history of %s", responseId).isPresent();
    return history.get();
  }

  /** The expected history items of turns, in order: each turn's input then output. */
  protected static InputItems itemsOf(Turn... turns) {
    InputItems all = InputItems.empty();
    for (Turn turn : turns) {
      all = all.concat(turn.input()).concat(turn.output());
    }
    return all;
  }

  // ---------------------------------------------------------------------------------------------
  // Assertions

  protected static void assertSameItems(InputItems expected, InputItems actual) {
    assertThat(actual.size()).as("number of items").isEqualTo(expected.size());
    assertJsonEquals(JsonAssertions.parse(expected.toJson()), JsonAssertions.parse(actual.toJson()));
  }

  /** Asserts read holds every field the caller wrote in written, items and metadata as JSON. */
  protected static void assertSameRecord(Turn written, Turn read) {
    assertThat(read.responseId()).as("response_id").isEqualTo(written.responseId());
    assertThat(read.previousResponseId()).as("previous_response_id").isEqualTo(written.previousResponseId());
    assertThat(read.owner()).as("owner").isEqualTo(written.owner());
    assertThat(read.model()).as("model").isEqualTo(written.model());
    assertThat(read.provider()).as("provider").isEqualTo(written.provider());
    assertThat(read.createdAt()).as("created_at").isEqualTo(written.createdAt());
    assertSameItems(written.input(), read.input());
    assertSameItems(written.output(), read.output());
    assertThat(read.metadata().isPresent()).as("metadata present").isEqualTo(written.metadata().isPresent());
    written.metadata().ifPresent(json ->
        assertJsonEquals(JsonAssertions.parse(json), JsonAssertions.parse(read.metadata().orElseThrow())));
  }

  /** Asserts a stored turn: the written record, the conversation's start, the recording time. */
  protected static void assertStored(Turn written, Turn read, long conversationCreatedAt, Instant recordedAt) {
    assertSameRecord(written, read);
    assertThat(read.conversationCreatedAt()).as("conversation_created_at").isEqualTo(conversationCreatedAt);
    assertThat(read.recordedAt()).as("recorded_at").contains(recordedAt);
  }

  protected static void assertInvalid(ThrowingCallable call, String field) {
    assertThatThrownBy(call)
        .isInstanceOf(InvalidInputException.class)
        .satisfies(e -> assertThat(((InvalidInputException) e).field()).as("field named").isEqualTo(field))
        .hasMessageContaining(field);
  }

  /** Asserts the response reads as absent through every read, for the given owner. */
  protected void assertAbsent(String owner, String responseId) {
    assertThat(store.history(owner, responseId)).as("history of %s for owner %s", responseId, owner).isEmpty();
    assertThat(store.turn(owner, responseId)).as("turn of %s for owner %s", responseId, owner).isEmpty();
    assertThat(store.inputItems(owner, responseId, ItemQuery.firstPage()))
        .as("input items of %s for owner %s", responseId, owner).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------
  // Threads

  /**
   * Runs tasks on threads that wait for each other at a barrier before they start, so they overlap
   * by construction; returns their results or rethrows the first failure.
   */
  protected static <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      CyclicBarrier start = new CyclicBarrier(tasks.size());
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(pool.submit(() -> {
          start.await();
          return task.call();
        }));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(4, TimeUnit.MINUTES));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  protected static <T> List<Callable<T>> times(int threads, IntFunction<Callable<T>> task) {
    List<Callable<T>> tasks = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      tasks.add(task.apply(t));
    }
    return tasks;
  }

  /** Moves the kit's clock forward and returns the new time. */
  protected Instant later(Duration duration) {
    return clock.advance(duration);
  }
}
