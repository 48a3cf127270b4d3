package io.convstate.conformance;

import static io.convstate.conformance.JsonAssertions.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.ConversationState;
import io.convstate.InputItems;
import io.convstate.InvalidInputException;
import io.convstate.StateNotFoundException;
import io.convstate.StateStore;
import io.convstate.StateStoreProviders;
import io.convstate.StateStores;
import io.convstate.StoreClosedException;
import io.convstate.StoreConfig;
import io.convstate.Validation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The contract every {@link StateStore} keeps. A backend proves it by extending this class in its
 * tests and implementing {@link #createStore} and {@link #providerType}:
 *
 * <pre>{@code
 * class MyStoreCompatibilityTest extends StateStoreCompatibilityKit {
 *   protected StateStore createStore(Clock clock) { return new MyStore(clock, ...); }
 *   protected String providerType() { return "mine"; }
 *   protected Map<String, String> providerConfiguration() { return Map.of("connection_string", ...); }
 * }
 * }</pre>
 *
 * <p>Each test gets a new, empty store from {@link #createStore} on a {@link TestClock} the kit
 * moves by hand, and closes it afterwards. Optional capabilities are declared by overriding the
 * {@code supports...} methods; tests of an undeclared capability are disabled.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class StateStoreCompatibilityKit {

  /** The kit's clock; every store the kit creates must take {@code updated_at} from it. */
  protected final TestClock clock = new TestClock();

  /** The store under test, created before each test and closed after it. */
  protected StateStore store;

  /**
   * A new store with no states in it, whose {@code updated_at} comes from {@code clock}, with a
   * {@code max_items_bytes} of {@link #maxItemsBytes()}.
   */
  protected abstract StateStore createStore(Clock clock);

  /** The type name under which the backend's provider is registered. */
  protected abstract String providerType();

  /**
   * Options (besides {@code type}) with which {@link StateStores#open} opens a working store of
   * this backend. None by default.
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
   * exactly. When false, it must refuse them with {@link InvalidInputException} naming
   * {@code input_items}; either way it never alters them.
   */
  protected boolean keepsEveryCharacter() {
    return true;
  }

  /** Capability: {@link StateStore#deleteUpdatedBefore} is implemented. */
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
  // Helpers

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

  protected static ConversationState state(String responseId, InputItems items) {
    return ConversationState.of(responseId, items, 1_700_000_000L, "gpt-4o", "openai");
  }

  protected static ConversationState state(String responseId, String tag) {
    return state(responseId, messages(tag, 2));
  }

  protected ConversationState read(String responseId) {
    Optional<ConversationState> read = store.get(responseId);
    assertThat(read).as("state of %s", responseId).isPresent();
    return read.get();
  }

  protected static void assertSameItems(InputItems expected, InputItems actual) {
    assertThat(actual.size()).as("number of items").isEqualTo(expected.size());
    assertJsonEquals(JsonAssertions.parse(expected.toJson()), JsonAssertions.parse(actual.toJson()));
  }

  /** Asserts a read state holds what was written, stamped with the kit clock's time. */
  protected void assertStored(ConversationState written, Instant updatedAt) {
    ConversationState read = read(written.responseId());
    assertThat(read.responseId()).isEqualTo(written.responseId());
    assertThat(read.createdAt()).as("created_at").isEqualTo(written.createdAt());
    assertThat(read.model()).as("model").isEqualTo(written.model());
    assertThat(read.provider()).as("provider").isEqualTo(written.provider());
    assertThat(read.updatedAt()).as("updated_at").contains(updatedAt);
    assertSameItems(written.items(), read.items());
  }

  private static void assertInvalid(ThrowingCallable call, String field) {
    assertThatThrownBy(call)
        .isInstanceOf(InvalidInputException.class)
        .satisfies(e -> assertThat(((InvalidInputException) e).field()).as("field named").isEqualTo(field))
        .hasMessageContaining(field);
  }

  /** Runs tasks on threads that start together; returns their results or rethrows the first failure. */
  private static <T> List<T> runTogether(List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (Callable<T> task : tasks) {
        futures.add(pool.submit(() -> {
          start.await();
          return task.call();
        }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(4, TimeUnit.MINUTES));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  private static <T> List<Callable<T>> times(int threads, java.util.function.IntFunction<Callable<T>> task) {
    List<Callable<T>> tasks = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      tasks.add(task.apply(t));
    }
    return tasks;
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("put is an upsert")
  class Upserts {

    @Test
    @DisplayName("a state read back equals what was written, stamped with the store's clock")
    void readBackEqualsWritten() {
      ConversationState written = state("resp_1", "hello");
      store.put(written);
      assertStored(written, TestClock.START);
    }

    @Test
    @DisplayName("overwriting changes items, model, provider and updated_at, and keeps created_at")
    void overwriteKeepsCreatedAt() {
      store.put(ConversationState.of("resp_1", messages("first", 1), 1_000L, "gpt-4o", "openai"));
      Instant later = clock.advance(Duration.ofMinutes(5));
      store.put(ConversationState.of("resp_1", messages("second", 3), 2_000L, "claude-sonnet-4-5", "anthropic"));

      ConversationState read = read("resp_1");
      assertThat(read.createdAt()).as("created_at keeps its first value").isEqualTo(1_000L);
      assertThat(read.model()).isEqualTo("claude-sonnet-4-5");
      assertThat(read.provider()).isEqualTo("anthropic");
      assertThat(read.updatedAt()).contains(later);
      assertSameItems(messages("second", 3), read.items());
    }

    @Test
    @DisplayName("put returns the state as stored: created_at kept, updated_at just set, as get returns it")
    void putReturnsStored() {
      store.put(ConversationState.of("resp_1", messages("first", 1), 1_000L, "gpt-4o", "openai"));
      Instant later = clock.advance(Duration.ofSeconds(9));
      ConversationState returned = store.put(ConversationState.of("resp_1", messages("second", 2), 2_000L, "m2", "p2"));
      assertThat(returned.createdAt()).isEqualTo(1_000L);
      assertThat(returned.updatedAt()).contains(later);
      assertThat(returned.model()).isEqualTo("m2");
      assertSameItems(messages("second", 2), returned.items());
      ConversationState read = read("resp_1");
      assertThat(read.createdAt()).isEqualTo(returned.createdAt());
      assertThat(read.updatedAt()).isEqualTo(returned.updatedAt());
    }

    @Test
    @DisplayName("updated_at comes from the store's clock, never from the state handed in")
    void updatedAtIsStoreManaged() {
      store.put(state("resp_1", "a"));
      ConversationState stale = read("resp_1");
      Instant later = clock.advance(Duration.ofSeconds(42));
      store.put(stale.withUpdatedAt(Instant.parse("2001-01-01T00:00:00Z")));
      assertThat(read("resp_1").updatedAt()).contains(later);
    }

    @Test
    @DisplayName("updated_at keeps millisecond precision")
    void updatedAtKeepsMilliseconds() {
      Instant precise = clock.advance(Duration.ofMillis(1_234));
      store.put(state("resp_1", "a"));
      assertThat(read("resp_1").updatedAt()).contains(precise);
    }

    @Test
    @DisplayName("an empty items array is a valid state")
    void emptyItems() {
      ConversationState written = state("resp_empty", InputItems.empty());
      store.put(written);
      assertStored(written, TestClock.START);
    }
  }

  @Nested
  @DisplayName("get and exists")
  class Reads {

    @Test
    @DisplayName("get of an unknown id is empty, not an error")
    void unknownIsEmpty() {
      assertThat(store.get("resp_unknown")).isEmpty();
    }

    @Test
    @DisplayName("exists is true for a stored id only")
    void existsOnlyForStored() {
      store.put(state("resp_1", "a"));
      assertThat(store.exists("resp_1")).isTrue();
      assertThat(store.exists("resp_2")).isFalse();
    }

    @Test
    @DisplayName("ids are exact: case, white space and unicode tell states apart")
    void idsAreExact() {
      List<String> ids = List.of("resp_A", "resp_a", " resp_a", "resp_a ", "résp_a", "resp_ä", "resp_😀");
      for (String id : ids) {
        store.put(state(id, "tag " + id));
      }
      for (String id : ids) {
        assertSameItems(messages("tag " + id, 2), read(id).items());
      }
    }

    @Test
    @DisplayName("an id of the longest accepted length is stored")
    void longestId() {
      String id = "r".repeat(Validation.MAX_NAME_LENGTH);
      store.put(state(id, "long"));
      assertThat(store.exists(id)).isTrue();
    }
  }

  @Nested
  @DisplayName("delete")
  class Deletes {

    @Test
    @DisplayName("delete says true once, and the state is gone")
    void deleteOnce() {
      store.put(state("resp_1", "a"));
      assertThat(store.delete("resp_1")).isTrue();
      assertThat(store.get("resp_1")).isEmpty();
      assertThat(store.exists("resp_1")).isFalse();
      assertThat(store.delete("resp_1")).isFalse();
    }

    @Test
    @DisplayName("delete of an unknown id says false")
    void deleteUnknown() {
      assertThat(store.delete("resp_unknown")).isFalse();
    }

    @Test
    @DisplayName("delete removes the named state only")
    void deleteOnlyNamed() {
      store.put(state("resp_1", "a"));
      store.put(state("resp_2", "b"));
      store.delete("resp_1");
      assertThat(store.exists("resp_2")).isTrue();
    }

    @Test
    @DisplayName("a deleted id can be written again, with a new created_at")
    void writeAfterDelete() {
      store.put(ConversationState.of("resp_1", messages("a", 1), 1_000L, "m", "p"));
      store.delete("resp_1");
      store.put(ConversationState.of("resp_1", messages("b", 1), 2_000L, "m", "p"));
      assertThat(read("resp_1").createdAt()).isEqualTo(2_000L);
    }
  }

  @Nested
  @DisplayName("cleanup deletes states updated before a cutoff")
  class Cleanup {

    boolean supportsCleanup() {
      return StateStoreCompatibilityKit.this.supportsCleanup();
    }

    @Test
    @EnabledIf("supportsCleanup")
    @DisplayName("states updated strictly before the cutoff go, the others stay, and the count is returned")
    void deletesBeforeCutoff() {
      store.put(state("resp_old", "old"));
      Instant cutoff = clock.advance(Duration.ofDays(7));
      store.put(state("resp_at_cutoff", "at"));
      clock.advance(Duration.ofMillis(1));
      store.put(state("resp_new", "new"));

      assertThat(store.deleteUpdatedBefore(cutoff)).isEqualTo(1);
      assertThat(store.exists("resp_old")).isFalse();
      assertThat(store.exists("resp_at_cutoff")).isTrue();
      assertThat(store.exists("resp_new")).isTrue();
    }

    @Test
    @EnabledIf("supportsCleanup")
    @DisplayName("an overwrite refreshes updated_at, so the state survives a later cleanup")
    void overwriteRefreshes() {
      store.put(state("resp_1", "a"));
      Instant cutoff = clock.advance(Duration.ofHours(1));
      store.put(state("resp_1", "b"));
      assertThat(store.deleteUpdatedBefore(cutoff)).isZero();
      assertThat(store.exists("resp_1")).isTrue();
    }

    @Test
    @EnabledIf("supportsCleanup")
    @DisplayName("cleanup with nothing to delete returns zero")
    void nothingToDelete() {
      assertThat(store.deleteUpdatedBefore(clock.instant())).isZero();
      store.put(state("resp_1", "a"));
      assertThat(store.deleteUpdatedBefore(clock.instant())).isZero();
    }

    @Test
    @EnabledIf("supportsCleanup")
    @DisplayName("cleanup of thousands of states deletes and counts every one")
    void manyStates() {
      int count = 2_500;
      for (int i = 0; i < count; i++) {
        store.put(state("resp_" + i, InputItems.empty()));
      }
      store.put(state("resp_keep", "keep"));
      Instant cutoff = clock.instant();
      clock.advance(Duration.ofSeconds(1));
      store.put(state("resp_keep", "keep"));

      assertThat(store.deleteUpdatedBefore(cutoff.plusMillis(1))).isEqualTo(count);
      assertThat(store.exists("resp_0")).isFalse();
      assertThat(store.exists("resp_" + (count - 1))).isFalse();
      assertThat(store.exists("resp_keep")).isTrue();
    }
  }

  @Nested
  @DisplayName("items come back equal as JSON")
  class JsonFidelity {

    @Test
    @DisplayName("every value of json-edge-cases.json: unicode, escapes, big and precise numbers, odd keys, deep nesting, long strings")
    void edgeCases() {
      roundTripEachAndAll("json-edge-cases.json");
    }

    @Test
    @DisplayName("every item shape of item-shapes.json: messages, files, calls, outputs, reasoning, searches, references")
    void itemShapes() {
      roundTripEachAndAll("item-shapes.json");
    }

    @Test
    @DisplayName("integers beyond 64 bits and decimals beyond a double keep every digit")
    void numbersKeepEveryDigit() {
      ConversationState written = state("resp_numbers", items(
          "[{\"a\":9007199254740993,\"b\":123456789012345678901234567890,\"c\":3.14159265358979323846264338327950288,"
              + "\"d\":0.1,\"e\":-0.0,\"f\":1e-300,\"g\":1.50}]"));
      store.put(written);
      JsonNode read = JsonAssertions.parse(read("resp_numbers").items().toJson()).get(0);
      assertJsonEquals(JsonAssertions.parse(written.items().toJson()), JsonAssertions.parse(read("resp_numbers").items().toJson()));
      assertThat(read.get("a").bigIntegerValue()).hasToString("9007199254740993");
      assertThat(read.get("c").decimalValue()).isEqualByComparingTo("3.14159265358979323846264338327950288");
    }

    @Test
    @DisplayName("a NUL character or an unpaired surrogate in a string is kept exactly, or refused naming input_items")
    void charactersSomeBackendsCannotKeep() {
      for (String escaped : List.of("\\u0000", "a\\u0000b", "\\ud800", "x\\udfffy")) {
        String id = "resp_char_" + escaped.hashCode();
        InputItems items = items("[{\"type\":\"message\",\"text\":\"" + escaped + "\"}]");
        Throwable thrown = catchThrowable(() -> store.put(state(id, items)));
        if (keepsEveryCharacter()) {
          assertThat(thrown).as("put of %s", escaped).isNull();
          assertSameItems(items, read(id).items());
        } else {
          assertThat(thrown).as("put of %s", escaped).isInstanceOf(InvalidInputException.class);
          assertThat(((InvalidInputException) thrown).field()).isEqualTo("input_items");
          assertThat(store.exists(id)).isFalse();
        }
      }
    }

    private void roundTripEachAndAll(String resource) {
      ArrayNode all = (ArrayNode) JsonAssertions.resource(resource);
      for (int i = 0; i < all.size(); i++) {
        ArrayNode one = JsonAssertions.EXACT.createArrayNode().add(all.get(i));
        store.put(state("resp_item_" + i, InputItems.of(one)));
        assertJsonEquals(one, JsonAssertions.parse(read("resp_item_" + i).items().toJson()));
      }
      store.put(state("resp_all", InputItems.of(all)));
      assertJsonEquals(all, JsonAssertions.parse(read("resp_all").items().toJson()));
    }
  }

  @Nested
  @DisplayName("nothing handed to or returned by a store changes a stored state later")
  class Isolation {

    @Test
    @DisplayName("changing the tree the items were made from does not change the stored state")
    void sourceTreeChanges() {
      ArrayNode tree = JsonAssertions.EXACT.createArrayNode();
      tree.addObject().put("type", "message").put("text", "original");
      store.put(state("resp_1", InputItems.of(tree)));
      ((ObjectNode) tree.get(0)).put("text", "changed");
      tree.addObject().put("type", "extra");
      assertThat(read("resp_1").items().toJson()).contains("original").doesNotContain("changed", "extra");
    }

    @Test
    @DisplayName("changing a tree read from a state does not change the stored state")
    void readTreeChanges() {
      store.put(state("resp_1", "original"));
      ArrayNode read = read("resp_1").items().toJsonNode();
      read.removeAll();
      assertSameItems(messages("original", 2), read("resp_1").items());
    }

    @Test
    @DisplayName("append leaves the previous state exactly as it was")
    void appendKeepsPrevious() {
      store.put(state("resp_1", "first"));
      store.append("resp_1", "resp_2", messages("second", 1), "gpt-4o", "openai");
      store.append("resp_2", "resp_3", messages("third", 1), "gpt-4o", "openai");
      assertSameItems(messages("first", 2), read("resp_1").items());
      assertThat(read("resp_2").items().size()).isEqualTo(3);
    }

    @Test
    @DisplayName("overwriting or deleting one id leaves every other id as it was")
    void otherIdsUnchanged() {
      store.put(state("resp_1", "one"));
      store.append("resp_1", "resp_2", messages("two", 1), "gpt-4o", "openai");
      store.put(state("resp_1", "replaced"));
      store.delete("resp_1");
      assertThat(read("resp_2").items().toJson()).contains("one 0").doesNotContain("replaced");
    }
  }

  @Nested
  @DisplayName("append continues a conversation")
  class Append {

    @Test
    @DisplayName("append stores the previous items followed by the new ones under the new id")
    void appendsItems() {
      store.put(state("resp_1", messages("before", 2)));
      store.append("resp_1", "resp_2", messages("after", 3), "gpt-4o-mini", "azure");
      assertSameItems(messages("before", 2).concat(messages("after", 3)), read("resp_2").items());
    }

    @Test
    @DisplayName("append keeps the conversation's created_at and takes the new model and provider")
    void appendMetadata() {
      store.put(ConversationState.of("resp_1", messages("a", 1), 1_234L, "gpt-4o", "openai"));
      Instant later = clock.advance(Duration.ofSeconds(3));
      store.append("resp_1", "resp_2", messages("b", 1), "claude-sonnet-4-5", "anthropic");
      ConversationState read = read("resp_2");
      assertThat(read.createdAt()).isEqualTo(1_234L);
      assertThat(read.model()).isEqualTo("claude-sonnet-4-5");
      assertThat(read.provider()).isEqualTo("anthropic");
      assertThat(read.updatedAt()).contains(later);
    }

    @Test
    @DisplayName("append to an unknown previous id throws StateNotFoundException and writes nothing")
    void unknownPrevious() {
      assertThatThrownBy(() -> store.append("resp_missing", "resp_2", messages("b", 1), "m", "p"))
          .isInstanceOf(StateNotFoundException.class)
          .satisfies(e -> assertThat(((StateNotFoundException) e).responseId()).isEqualTo("resp_missing"));
      assertThat(store.exists("resp_2")).isFalse();
    }

    @Test
    @DisplayName("append over an existing id replaces its items and keeps that id's created_at")
    void appendOverExisting() {
      store.put(ConversationState.of("resp_1", messages("a", 1), 1_000L, "m", "p"));
      store.put(ConversationState.of("resp_2", messages("old", 1), 2_000L, "m", "p"));
      store.append("resp_1", "resp_2", messages("b", 1), "m", "p");
      ConversationState read = read("resp_2");
      assertThat(read.createdAt()).isEqualTo(2_000L);
      assertSameItems(messages("a", 1).concat(messages("b", 1)), read.items());
    }

    @Test
    @DisplayName("a chain of 200 appends rebuilds the whole conversation in order")
    void longChain() {
      store.put(state("resp_0", messages("turn 0", 1)));
      InputItems expected = messages("turn 0", 1);
      for (int turn = 1; turn <= 200; turn++) {
        InputItems next = messages("turn " + turn, 2);
        store.append("resp_" + (turn - 1), "resp_" + turn, next, "m", "p");
        expected = expected.concat(next);
      }
      assertSameItems(expected, read("resp_200").items());
      assertThat(read("resp_100").items().size()).isEqualTo(201);
    }
  }

  @Nested
  @DisplayName("bad input gets InvalidInputException naming the field, and nothing is written")
  class BadInput {

    @Test
    @DisplayName("get, exists and delete reject a null, blank, oversize or NUL-bearing response_id")
    void badIds() {
      List<String> bad = new ArrayList<>(List.of("", "   ", "\t\n", "resp\0x", "r".repeat(Validation.MAX_NAME_LENGTH + 1)));
      bad.add(null);
      for (String id : bad) {
        assertInvalid(() -> store.get(id), "response_id");
        assertInvalid(() -> store.exists(id), "response_id");
        assertInvalid(() -> store.delete(id), "response_id");
      }
    }

    @Test
    @DisplayName("put rejects a null state")
    void nullState() {
      assertInvalid(() -> store.put(null), "state");
    }

    @Test
    @DisplayName("a state cannot be built with a bad id, model, provider, created_at or items")
    void badStateFields() {
      assertInvalid(() -> ConversationState.of(null, InputItems.empty(), 0, "m", "p"), "response_id");
      assertInvalid(() -> ConversationState.of(" ", InputItems.empty(), 0, "m", "p"), "response_id");
      assertInvalid(() -> ConversationState.of("r", null, 0, "m", "p"), "input_items");
      assertInvalid(() -> ConversationState.of("r", InputItems.empty(), -1, "m", "p"), "created_at");
      assertInvalid(() -> ConversationState.of("r", InputItems.empty(), 0, "", "p"), "model");
      assertInvalid(() -> ConversationState.of("r", InputItems.empty(), 0, "m", null), "provider");
    }

    @Test
    @DisplayName("items that are not a JSON array of objects are refused")
    void notAnArray() {
      Map<String, String> fieldByJson = new java.util.LinkedHashMap<>();
      for (String json : List.of("{}", "\"text\"", "42", "null", "", "[{}", "[{}]]", "[{\"a\":1,\"a\":2}]",
          "[{\"a\":\"\\x\"}]", "[{\"a\":NaN}]", "[{\"a\":01}]", "[{\"a\":\"tab\tinside\"}]")) {
        fieldByJson.put(json, "input_items");
      }
      fieldByJson.put("[1]", "input_items[0]");
      fieldByJson.put("[{}, \"x\"]", "input_items[1]");
      fieldByJson.forEach((json, field) -> assertInvalid(() -> InputItems.parse(json), field));
      assertInvalid(() -> InputItems.parse(null), "input_items");
      assertInvalid(() -> InputItems.of(JsonAssertions.EXACT.createObjectNode()), "input_items");
    }

    @Test
    @DisplayName("cleanup rejects a null cutoff")
    void nullCutoff() {
      assertInvalid(() -> store.deleteUpdatedBefore(null), "cutoff");
    }

    @Test
    @DisplayName("append rejects a bad previous id, new id, items, model or provider before writing")
    void badAppend() {
      store.put(state("resp_1", "a"));
      assertInvalid(() -> store.append(null, "resp_2", messages("b", 1), "m", "p"), "previous_response_id");
      assertInvalid(() -> store.append(" ", "resp_2", messages("b", 1), "m", "p"), "previous_response_id");
      assertInvalid(() -> store.append("resp_1", "", messages("b", 1), "m", "p"), "response_id");
      assertInvalid(() -> store.append("resp_1", "resp_2", null, "m", "p"), "input_items");
      assertInvalid(() -> store.append("resp_1", "resp_2", messages("b", 1), " ", "p"), "model");
      assertInvalid(() -> store.append("resp_1", "resp_2", messages("b", 1), "m", null), "provider");
      assertThat(store.exists("resp_2")).isFalse();
    }

    @Test
    @DisplayName("items over max_items_bytes are refused by put and by append")
    void oversize() {
      long limit = maxItemsBytes();
      InputItems over = bigItems(limit + 1);
      assertThat(over.jsonBytes()).isEqualTo(limit + 1);
      assertInvalid(() -> store.put(state("resp_big", over)), "input_items");
      assertThat(store.exists("resp_big")).isFalse();

      InputItems half = bigItems(limit / 2 + 1);
      store.put(state("resp_half", half));
      assertInvalid(() -> store.append("resp_half", "resp_double", half, "m", "p"), "input_items");
      assertThat(store.exists("resp_double")).isFalse();
    }
  }

  @Nested
  @DisplayName("large documents")
  class LargeDocuments {

    @Test
    @DisplayName("a state of 16 MiB of items round-trips exactly")
    void sixteenMebibytes() {
      assertThat(maxItemsBytes()).as("max_items_bytes of the stores under test").isGreaterThan(17L << 20);
      InputItems items = bigItems(16L << 20);
      store.put(state("resp_large", items));
      assertSameItems(items, read("resp_large").items());
    }

    @Test
    @DisplayName("a state of 10,000 items round-trips exactly, in order")
    void tenThousandItems() {
      InputItems items = messages("item", 10_000);
      store.put(state("resp_many", items));
      assertSameItems(items, read("resp_many").items());
    }
  }

  /**
   * Items whose JSON is exactly {@code bytes} long in UTF-8: 1 MiB text items with multi-byte
   * characters, then one item padding to the exact size.
   */
  protected static InputItems bigItems(long bytes) {
    String prefix = "{\"type\":\"function_call_output\",\"call_id\":\"c\",\"output\":\"";
    String suffix = "\"}";
    String unit = "é漢😀abcdefghij"; // 2 + 3 + 4 + 10 = 19 bytes
    StringBuilder json = new StringBuilder("[");
    long remaining = bytes - 2;
    long chunk = 1L << 20;
    while (remaining > 0) {
      if (json.length() > 1) {
        json.append(',');
        remaining--;
      }
      long overhead = prefix.length() + suffix.length();
      long body = remaining - overhead > chunk + overhead + 1 ? chunk : remaining - overhead;
      if (body < 0) {
        throw new IllegalArgumentException("cannot pad to " + bytes + " bytes");
      }
      json.append(prefix);
      long written = 0;
      while (written + 19 <= body) {
        json.append(unit);
        written += 19;
      }
      while (written < body) {
        json.append('x');
        written++;
      }
      json.append(suffix);
      remaining -= overhead + body;
    }
    return InputItems.parse(json.append(']').toString());
  }

  @Nested
  @DisplayName("many threads at once")
  class Concurrency {

    private static final int THREADS = 8;

    @Test
    @DisplayName("writers of different ids lose no acknowledged write")
    void noLostWrites() throws Exception {
      int perThread = 150;
      runTogether(times(THREADS, t -> () -> {
        for (int i = 0; i < perThread; i++) {
          store.put(state("resp_" + t + "_" + i, messages("w" + t + " " + i, 1)));
        }
        return null;
      }));
      for (int t = 0; t < THREADS; t++) {
        for (int i = 0; i < perThread; i++) {
          assertSameItems(messages("w" + t + " " + i, 1), read("resp_" + t + "_" + i).items());
        }
      }
    }

    @Test
    @DisplayName("writers of one id leave one whole state, written by one of them, never a torn mix")
    void noTornState() throws Exception {
      AtomicInteger torn = new AtomicInteger();
      AtomicInteger writersLeft = new AtomicInteger(THREADS / 2);
      List<Callable<Object>> tasks = times(THREADS, t -> () -> {
        if (t % 2 == 0) {
          for (int i = 0; i < 300; i++) {
            store.put(ConversationState.of("resp_shared", messages("writer" + t, 1 + t), 1_000L + t, "model" + t, "provider" + t));
          }
          writersLeft.decrementAndGet();
        } else {
          while (writersLeft.get() > 0) {
            store.get("resp_shared").ifPresent(read -> {
              if (!consistent(read)) {
                torn.incrementAndGet();
              }
            });
          }
        }
        return null;
      });
      runTogether(tasks);
      assertThat(torn).as("torn reads").hasValue(0);
      ConversationState last = read("resp_shared");
      assertThat(consistent(last)).as("final state %s is whole", last).isTrue();
    }

    private boolean consistent(ConversationState read) {
      String writer = read.model().substring("model".length());
      int w = Integer.parseInt(writer);
      return read.provider().equals("provider" + writer)
          && read.items().size() == 1 + w
          && JsonAssertions.difference("$", JsonAssertions.parse(messages("writer" + w, 1 + w).toJson()),
              JsonAssertions.parse(read.items().toJson())) == null;
    }

    @Test
    @DisplayName("concurrent deletes of one id: exactly one says true")
    void oneDeleteWins() throws Exception {
      for (int round = 0; round < 20; round++) {
        store.put(state("resp_del", "x"));
        List<Boolean> results = runTogether(times(THREADS, t -> () -> store.delete("resp_del")));
        assertThat(results).as("round %d", round).containsOnlyOnce(true);
      }
    }

    @Test
    @DisplayName("concurrent cleanups count each deleted state exactly once")
    void cleanupsCountOnce() throws Exception {
      int states = 1_000;
      for (int round = 0; round < 5; round++) {
        for (int i = 0; i < states; i++) {
          store.put(state("resp_" + i, InputItems.empty()));
        }
        Instant cutoff = clock.advance(Duration.ofSeconds(1));
        List<Long> counts = runTogether(times(4, t -> () -> store.deleteUpdatedBefore(cutoff)));
        assertThat(counts.stream().mapToLong(Long::longValue).sum()).as("round %d", round).isEqualTo(states);
      }
    }

    @Test
    @DisplayName("writes, reads, appends, deletes and cleanups together raise no error, and every surviving acknowledged write reads back whole")
    void mixedWorkload() throws Exception {
      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      AtomicLong errors = new AtomicLong();
      List<Callable<Object>> tasks = times(THREADS, t -> () -> {
        for (int i = 0; i < 150; i++) {
          String own = "resp_own_" + t + "_" + i;
          String shared = "resp_shared_" + (i % 5);
          switch (t % 4) {
            case 0:
              store.put(state(own, "own " + t + " " + i));
              acknowledged.put(own, "own " + t + " " + i);
              break;
            case 1:
              store.put(state(shared, "shared " + t));
              store.get(shared).ifPresent(read -> {
                if (read.items().size() != 2) {
                  errors.incrementAndGet();
                }
              });
              break;
            case 2:
              try {
                store.append(shared, "resp_append_" + t + "_" + i, messages("a", 1), "m", "p");
              } catch (StateNotFoundException expected) {
                // a concurrent delete got there first
              }
              store.delete(shared);
              break;
            default:
              clock.advance(Duration.ofMillis(1));
              store.deleteUpdatedBefore(TestClock.START); // nothing is that old: must delete nothing
              break;
          }
        }
        return null;
      });
      runTogether(tasks);
      assertThat(errors).as("torn reads").hasValue(0);
      acknowledged.forEach((id, tag) -> assertSameItems(messages(tag, 2), read(id).items()));
    }
  }

  @Nested
  @DisplayName("close")
  class Closing {

    @Test
    @DisplayName("every call after close throws StoreClosedException")
    void callsAfterClose() {
      store.put(state("resp_1", "a"));
      store.close();
      List<Consumer<StateStore>> calls = List.of(
          s -> s.put(state("resp_2", "b")),
          s -> s.get("resp_1"),
          s -> s.exists("resp_1"),
          s -> s.delete("resp_1"),
          s -> s.deleteUpdatedBefore(clock.instant()),
          s -> s.append("resp_1", "resp_3", messages("c", 1), "m", "p"));
      for (Consumer<StateStore> call : calls) {
        assertThatThrownBy(() -> call.accept(store)).isInstanceOf(StoreClosedException.class);
      }
    }

    @Test
    @DisplayName("close twice is fine")
    void closeTwice() {
      store.close();
      store.close();
      assertThatThrownBy(() -> store.get("resp_1")).isInstanceOf(StoreClosedException.class);
    }
  }

  @Nested
  @DisplayName("discovery through ServiceLoader")
  class Discovery {

    @Test
    @DisplayName("the backend's provider is found by its type name")
    void providerFound() {
      StateStoreProviders providers = StateStoreProviders.load();
      assertThat(providers.types()).contains(providerType());
      assertThat(providers.require(providerType()).type()).isEqualTo(providerType());
    }

    @Test
    @DisplayName("the provider opens a working store from configuration")
    void opensFromConfiguration() {
      Map<String, String> config = new HashMap<>(providerConfiguration());
      config.put(StoreConfig.TYPE, providerType());
      try (StateStore opened = StateStores.open(config)) {
        String id = "resp_discovery_" + System.nanoTime();
        opened.put(state(id, "discovered"));
        assertSameItems(messages("discovered", 2), opened.get(id).orElseThrow().items());
        assertThat(opened.delete(id)).isTrue();
      }
    }

    @Test
    @DisplayName("an unknown option is refused with the closest known one suggested")
    void unknownOption() {
      Map<String, String> config = new HashMap<>(providerConfiguration());
      config.put(StoreConfig.TYPE, providerType());
      config.put("max_items_byte", "1MiB");
      assertThatThrownBy(() -> StateStores.open(config))
          .isInstanceOf(io.convstate.ConfigurationException.class)
          .hasMessageContaining("max_items_byte")
          .hasMessageContaining("did you mean 'max_items_bytes'");
    }
  }
}
