package io.convstate.conformance;

import static io.convstate.conformance.JsonAssertions.assertJsonEquals;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.convstate.ConfigurationException;
import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.InvalidInputException;
import io.convstate.ItemPage;
import io.convstate.ItemQuery;
import io.convstate.PreparedTurn;
import io.convstate.PreviousResponseNotFoundException;
import io.convstate.ResponseConflictException;
import io.convstate.ResponsesConversations;
import io.convstate.StateNotFoundException;
import io.convstate.StateStore;
import io.convstate.StateStoreProviders;
import io.convstate.StateStores;
import io.convstate.StoreClosedException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.Validation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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
 * {@code supports...} methods; tests of an undeclared capability are disabled. The groups on the
 * turn log itself (recording, create-only, histories, owners, listings, deletes) are in
 * {@link TurnLogGroups}, cleanup and time zones in {@link TimeGroups}; the ones here cover JSON,
 * isolation, bad input, size, threads, closing, discovery and the Responses helpers end to end. Backends with the capabilities also
 * extend the tiers {@link StorageFaultsCompatibilityKit} (storage failures) and
 * {@link SharedStorageCompatibilityKit} (several instances over one storage).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
public abstract class StateStoreCompatibilityKit extends TimeGroups {

  @Nested
  @DisplayName("items and metadata come back equal as JSON")
  class JsonFidelity {

    @Test
    @DisplayName("every value of json-edge-cases.json, as input, as output and as metadata")
    void edgeCases() {
      roundTripEachAndAll("json-edge-cases.json");
    }

    @Test
    @DisplayName("every item shape of item-shapes.json: messages, files, calls, outputs, reasoning, searches, references")
    void itemShapes() {
      roundTripEachAndAll("item-shapes.json");
    }

    @Test
    @DisplayName("integers beyond 64 bits and decimals beyond a double keep every digit, in items and in metadata")
    void numbersKeepEveryDigit() {
      // The rule: numbers come back equal by value (1.50 may read as 1.5, -0 as 0), every digit kept.
      String object = "{\"a\":9007199254740993,\"b\":123456789012345678901234567890,\"c\":3.14159265358979323846264338327950288,"
          + "\"d\":0.1,\"e\":-5e-7,\"f\":1e-300,\"g\":1.50,\"h\":-0,\"i\":-0.0}";
      store.record(turn("resp_numbers").input(items("[" + object + "]")).metadata(object).build());
      Turn read = store.turn(null, "resp_numbers").orElseThrow();
      for (JsonNode node : List.of(JsonAssertions.parse(read.input().toJson()).get(0), JsonAssertions.parse(read.metadata().orElseThrow()))) {
        assertJsonEquals(JsonAssertions.parse(object), node);
        assertThat(node.get("a").bigIntegerValue()).hasToString("9007199254740993");
        assertThat(node.get("b").bigIntegerValue()).hasToString("123456789012345678901234567890");
        assertThat(node.get("c").decimalValue()).isEqualByComparingTo("3.14159265358979323846264338327950288");
        assertThat(node.get("g").decimalValue()).isEqualByComparingTo("1.5");
        assertThat(node.get("h").decimalValue()).isEqualByComparingTo("0");
        assertThat(node.get("i").decimalValue()).isEqualByComparingTo("0");
      }
    }

    @Test
    @DisplayName("the largest and smallest numbers the items accept come back exactly: nothing accepted on write fails on read")
    void boundaryNumbers() {
      String object = "{\"big\":1e900,\"small\":-1.5e-900,\"digits\":" + "9".repeat(999) + ",\"double\":1.7976931348623157e308}";
      store.record(turn("resp_bounds").input(items("[" + object + "]")).metadata(object).build());
      Turn read = store.turn(null, "resp_bounds").orElseThrow();
      assertJsonEquals(JsonAssertions.parse(object), JsonAssertions.parse(read.input().toJson()).get(0));
      assertJsonEquals(JsonAssertions.parse(object), JsonAssertions.parse(read.metadata().orElseThrow()));
      assertThat(history("resp_bounds").items().toJsonNode().get(0).get("big").decimalValue()).isEqualByComparingTo("1e900");
    }

    @Test
    @DisplayName("a NUL character or an unpaired surrogate, escaped or raw, is kept exactly or refused naming the field")
    void charactersSomeBackendsCannotKeep() {
      List<String> texts = List.of("\\u0000", "a\\u0000b", "\\ud800", "x\\udfffy", "\ud800", "a\udc00");
      ArrayNode tree = JsonAssertions.EXACT.createArrayNode();
      tree.addObject().put("type", "message").put("text", "built \ud800 in a tree").put("nul", "a\u0000b");
      checkKeptOrRefused("resp_tree", turn("resp_tree").input(InputItems.of(tree)), "input");
      for (int i = 0; i < texts.size(); i++) {
        String json = "[{\"type\":\"message\",\"text\":\"" + texts.get(i) + "\"}]";
        InputItems items = items(json);
        checkKeptOrRefused("resp_in_" + i, turn("resp_in_" + i).input(items), "input");
        checkKeptOrRefused("resp_out_" + i, turn("resp_out_" + i).output(items), "output");
        checkKeptOrRefused("resp_meta_" + i, turn("resp_meta_" + i).metadata("{\"t\":\"" + texts.get(i) + "\"}"), "metadata");
      }
    }

    @Test
    @DisplayName("ids, owners, models and providers a backend cannot keep exactly are refused naming the field, never altered")
    void namesKeptOrRefused() {
      String[] odd = {"resp_\ud800", "resp_\udfff_x"};
      for (String value : odd) {
        checkNameKeptOrRefused(turn(value), value, "response_id", t -> store.turn(null, value));
        checkNameKeptOrRefused(turn("resp_o" + value.length()).owner(value), value, "owner", t -> store.turn(value, t));
        checkNameKeptOrRefused(turn("resp_m" + value.hashCode()).model(value), value, "model", t -> store.turn(null, t));
        checkNameKeptOrRefused(turn("resp_p" + value.hashCode()).provider(value), value, "provider", t -> store.turn(null, t));
      }
      assertThat(store.turn(null, "resp_?")).isEmpty();
      assertThat(store.turn(null, "resp_?_x")).isEmpty();
    }

    private void checkNameKeptOrRefused(
        Turn.Builder builder, String value, String field, Function<String, Optional<Turn>> read) {
      Turn written = builder.build();
      Throwable thrown = catchThrowable(() -> store.record(written));
      if (thrown == null) {
        Turn back = read.apply(written.responseId()).orElseThrow(() -> new AssertionError(field + " " + value + " not read back"));
        assertSameRecord(written, back);
      } else {
        assertThat(thrown).as("record with an unpaired surrogate in %s", field).isInstanceOf(InvalidInputException.class);
        assertThat(((InvalidInputException) thrown).field()).isEqualTo(field);
        assertThat(store.turn(written.owner().orElse(null), written.responseId())).isEmpty();
      }
    }

    private void checkKeptOrRefused(String id, Turn.Builder builder, String field) {
      Turn written = builder.build();
      Throwable checked = catchThrowable(() -> store.checkRecordable(written));
      Throwable thrown = catchThrowable(() -> store.record(written));
      assertThat(checked == null).as("checkRecordable of %s agrees with record (%s)", id, thrown).isEqualTo(thrown == null);
      if (keepsEveryCharacter()) {
        assertThat(thrown).as("record of %s with %s", id, field).isNull();
        assertSameRecord(written, store.turn(null, id).orElseThrow());
      } else {
        assertThat(thrown).as("record of %s with %s", id, field).isInstanceOf(InvalidInputException.class);
        assertThat(((InvalidInputException) thrown).field()).isEqualTo(field);
        assertAbsent(null, id);
      }
    }

    private void roundTripEachAndAll(String resource) {
      ArrayNode all = (ArrayNode) JsonAssertions.resource(resource);
      for (int i = 0; i < all.size(); i++) {
        ArrayNode one = JsonAssertions.EXACT.createArrayNode().add(all.get(i));
        InputItems items = InputItems.of(one);
        String object = all.get(i).toString();
        Turn.Builder builder = turn("resp_item_" + i).input(items).output(items);
        if (object.startsWith("{") && object.length() < Turn.MAX_METADATA_BYTES / 4) {
          builder.metadata(object);
        }
        Turn written = store.record(builder.build());
        assertSameRecord(written, store.turn(null, "resp_item_" + i).orElseThrow());
      }
      store.record(turn("resp_all").input(InputItems.of(all)).build());
      assertJsonEquals(all, JsonAssertions.parse(store.turn(null, "resp_all").orElseThrow().input().toJson()));
    }
  }

  @Nested
  @DisplayName("a turn, once recorded, is not changed by later turns")
  class Isolation {

    @Test
    @DisplayName("recording a later turn leaves the earlier response's history and turn exactly as they were")
    void laterTurnLeavesEarlier() {
      Turn a = first("resp_a");
      later(Duration.ofMinutes(3));
      store.record(turn("resp_a", "resp_b").input(messages("big", 50)).build());
      History history = history("resp_a");
      assertThat(history.size()).isEqualTo(1);
      assertStored(a, history.last(), CREATED_AT, TestClock.START);
    }
  }

  @Nested
  @DisplayName("bad input gets InvalidInputException naming the field, and nothing is written")
  class BadInput {

    @Test
    @DisplayName("every read and delete rejects a null, blank, oversize or NUL-bearing response_id")
    void badIds() {
      List<String> bad = new ArrayList<>(List.of("", "   ", "\t\n", "resp\0x", "r".repeat(Validation.MAX_NAME_LENGTH + 1)));
      bad.add(null);
      for (String id : bad) {
        assertInvalid(() -> store.history(null, id), "response_id");
        assertInvalid(() -> store.turn(null, id), "response_id");
        assertInvalid(() -> store.inputItems(null, id, ItemQuery.firstPage()), "response_id");
        assertInvalid(() -> store.delete(null, id), "response_id");
      }
    }

    @Test
    @DisplayName("every read and delete rejects a blank, oversize or NUL-bearing owner, even for an id that exists")
    void badOwners() {
      first("resp_1");
      for (String owner : List.of("", "  ", "own\0er", "o".repeat(Validation.MAX_NAME_LENGTH + 1))) {
        assertInvalid(() -> store.history(owner, "resp_1"), "owner");
        assertInvalid(() -> store.turn(owner, "resp_1"), "owner");
        assertInvalid(() -> store.inputItems(owner, "resp_1", ItemQuery.firstPage()), "owner");
        assertInvalid(() -> store.delete(owner, "resp_1"), "owner");
      }
      assertThat(store.turn(null, "resp_1")).isPresent();
    }

    @Test
    @DisplayName("record rejects a null turn; listing rejects a null query; cleanup rejects a null cutoff")
    void nullArguments() {
      first("resp_1");
      assertInvalid(() -> store.record(null), "turn");
      assertInvalid(() -> store.inputItems(null, "resp_1", null), "query");
      assertInvalid(() -> store.deleteInactiveBefore(null), "cutoff");
      assertThat(store.turn(null, "resp_1")).isPresent();
    }

    @Test
    @DisplayName("a cleanup cutoff outside years 1 to 9999 is refused naming cutoff; the latest accepted removes everything")
    void cutoffRange() {
      chain("resp_a", "resp_b");
      assertInvalid(() -> store.deleteInactiveBefore(Instant.MAX), "cutoff");
      assertInvalid(() -> store.deleteInactiveBefore(Instant.MIN), "cutoff");
      assertThat(store.turn(null, "resp_b")).isPresent();
      assertThat(store.deleteInactiveBefore(Validation.LATEST_CUTOFF)).isEqualTo(2);
      assertAbsent(null, "resp_b");
    }

    @Test
    @DisplayName("a turn over max_items_bytes is refused naming turn, and nothing is written")
    void oversize() {
      long limit = maxItemsBytes();
      Turn over = Turn.builder("resp_big").model(MODEL).provider(PROVIDER).input(bigItems(limit - 1)).build();
      assertThat(over.jsonBytes()).isEqualTo(limit + 1);
      assertInvalid(() -> store.checkRecordable(over), "turn");
      assertInvalid(() -> store.record(over), "turn");
      assertAbsent(null, "resp_big");
    }

    @Test
    @DisplayName("checkRecordable accepts what record accepts, refuses a null turn, and writes nothing")
    void checkRecordable() {
      Turn fine = turn("resp_fine").metadata("{\"status\":\"completed\"}").build();
      store.checkRecordable(fine);
      store.checkRecordable(turn("resp_missing", "resp_orphan").build());
      assertInvalid(() -> store.checkRecordable(null), "turn");
      assertAbsent(null, "resp_fine");
      assertAbsent(null, "resp_orphan");
      store.record(fine);
      store.checkRecordable(fine);
      assertThat(history("resp_fine").size()).isEqualTo(1);
    }

    @Test
    @DisplayName("max_items_bytes from configuration holds exactly: a turn at the limit is kept, one byte more is refused")
    void limitFromConfiguration() {
      Map<String, String> config = new HashMap<>(providerConfiguration());
      config.put(StoreConfig.TYPE, providerType());
      config.put(StoreConfig.MAX_ITEMS_BYTES, "8192");
      try (StateStore limited = StateStores.open(config)) {
        String suffix = Long.toString(System.nanoTime());
        Turn at = Turn.builder("resp_at_" + suffix).model(MODEL).provider(PROVIDER).input(bigItems(8190)).build();
        Turn over = Turn.builder("resp_over_" + suffix).model(MODEL).provider(PROVIDER).input(bigItems(8191)).build();
        assertThat(at.jsonBytes()).isEqualTo(8192);
        limited.checkRecordable(at);
        assertInvalid(() -> limited.checkRecordable(over), "turn");
        assertSameRecord(at, limited.record(at));
        assertInvalid(() -> limited.record(over), "turn");
        assertThat(limited.turn(null, over.responseId())).isEmpty();
        Turn overByOutput = Turn.builder("resp_out_" + suffix).model(MODEL).provider(PROVIDER).input(InputItems.parse("[{}]"))
            .output(bigItems(8190)).build();
        Turn overByMetadata = Turn.builder("resp_meta_" + suffix).model(MODEL).provider(PROVIDER).input(bigItems(8000))
            .metadata("{\"note\":\"" + "m".repeat(200) + "\"}").build();
        assertInvalid(() -> limited.record(overByOutput), "turn");
        assertInvalid(() -> limited.record(overByMetadata), "turn");
        assertThat(limited.turn(null, overByOutput.responseId())).isEmpty();
        assertSameItems(at.input(), limited.history(null, at.responseId()).orElseThrow().items());
        limited.delete(null, at.responseId());
      }
    }
  }

  @Nested
  @DisplayName("large documents")
  class LargeDocuments {

    @Test
    @DisplayName("a turn of 16 MiB of items round-trips exactly, and so does the history of two of them")
    void sixteenMebibytes() {
      assertThat(maxItemsBytes()).as("max_items_bytes of the stores under test").isGreaterThan(17L << 20);
      InputItems items = bigItems(16L << 20);
      store.record(turn("resp_large").input(items).build());
      store.record(turn("resp_large", "resp_large_2").output(items).build());
      assertSameItems(items, store.turn(null, "resp_large").orElseThrow().input());
      assertThat(history("resp_large_2").items().jsonBytes()).isGreaterThan(32L << 20);
      assertSameItems(items, history("resp_large_2").turns().get(1).output());
    }

    @Test
    @DisplayName("a turn of 10,000 items round-trips exactly, in order, and lists in pages")
    void tenThousandItems() {
      InputItems items = messages("item", 10_000);
      store.record(turn("resp_many").input(items).build());
      assertSameItems(items, store.turn(null, "resp_many").orElseThrow().input());
      ItemPage last = store.inputItems(null, "resp_many", ItemQuery.of(null, null, 100, ItemQuery.Order.DESC)).orElseThrow();
      assertThat(last.data().get(0).json()).contains("item 9999");
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

    boolean supportsCleanup() {
      return StateStoreCompatibilityKit.this.supportsCleanup();
    }

    @Test
    @DisplayName("recorders of different conversations lose no acknowledged turn")
    void noLostWrites() throws Exception {
      int perThread = 40;
      runTogether(times(THREADS, t -> () -> {
        store.record(turn("resp_" + t + "_0").build());
        for (int i = 1; i < perThread; i++) {
          store.record(turn("resp_" + t + "_" + (i - 1), "resp_" + t + "_" + i).input(messages("w" + t + " " + i, 1)).build());
        }
        return null;
      }));
      for (int t = 0; t < THREADS; t++) {
        History history = history("resp_" + t + "_" + (perThread - 1));
        assertThat(history.size()).isEqualTo(perThread);
        assertSameItems(messages("w" + t + " " + (perThread - 1), 1), history.last().input());
      }
    }

    @Test
    @DisplayName("recorders of one id: exactly one succeeds, the others conflict, and the winner's turn is stored whole")
    void oneRecordWins() throws Exception {
      for (int round = 0; round < 10; round++) {
        String id = "resp_race_" + round;
        List<Object> results = runTogether(times(THREADS, t -> () -> {
          try {
            return store.record(turn(id).model("model" + t).input(messages("writer" + t, 1 + t)).build());
          } catch (ResponseConflictException e) {
            return e;
          }
        }));
        List<Turn> winners = new ArrayList<>();
        results.forEach(result -> {
          if (result instanceof Turn) {
            winners.add((Turn) result);
          }
        });
        assertThat(winners).as("round %d", round).hasSize(1);
        Turn stored = store.turn(null, id).orElseThrow();
        int writer = Integer.parseInt(stored.model().substring("model".length()));
        assertThat(winners.get(0).model()).isEqualTo(stored.model());
        assertSameItems(messages("writer" + writer, 1 + writer), stored.input());
      }
    }

    @Test
    @DisplayName("forks recorded at once from one response all succeed, each with its own history")
    void concurrentForks() throws Exception {
      Turn a = first("resp_root");
      runTogether(times(THREADS, t -> () -> store.record(turn("resp_root", "resp_fork_" + t).input(messages("fork" + t, 1)).build())));
      for (int t = 0; t < THREADS; t++) {
        History history = history("resp_fork_" + t);
        assertThat(history.responseIds()).containsExactly("resp_root", "resp_fork_" + t);
        assertSameItems(messages("fork" + t, 1), history.last().input());
        assertSameItems(itemsOf(a, history.last()), history.items());
      }
    }

    @Test
    @DisplayName("concurrent deletes of one id: exactly one says true")
    void oneDeleteWins() throws Exception {
      for (int round = 0; round < 20; round++) {
        String id = "resp_del_" + round;
        first(id);
        List<Boolean> results = runTogether(times(THREADS, t -> () -> store.delete(null, id)));
        assertThat(results).as("round %d", round).containsOnlyOnce(true);
      }
    }

    @Test
    @DisplayName("concurrent cleanups count each removed turn exactly once")
    @EnabledIf("supportsCleanup")
    void cleanupsCountOnce() throws Exception {
      int conversations = 600;
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < conversations; i++) {
          chain("resp_" + round + "_" + i, "resp_" + round + "_" + i + "_b");
        }
        Instant cutoff = later(Duration.ofSeconds(1));
        List<Long> counts = runTogether(times(4, t -> () -> store.deleteInactiveBefore(cutoff)));
        assertThat(counts.stream().mapToLong(Long::longValue).sum()).as("round %d", round).isEqualTo(2L * conversations);
      }
    }

    @Test
    @DisplayName("cleanup racing recordings into the conversations it removes never leaves a readable turn with a hole")
    @EnabledIf("supportsCleanup")
    void cleanupRacingRecords() throws Exception {
      int conversations = 200;
      for (int i = 0; i < conversations; i++) {
        chain("resp_" + i, "resp_" + i + "_b");
      }
      Instant cutoff = later(Duration.ofSeconds(1));
      Map<String, Integer> recorded = new ConcurrentHashMap<>();
      Map<Integer, String> latest = new ConcurrentHashMap<>();
      AtomicBoolean cleaned = new AtomicBoolean();
      CountDownLatch cleanupStarted = new CountDownLatch(1);
      // The recorders start once the cleanup has been called and keep continuing every
      // conversation (three rounds at most) until it has returned, so the two overlap by
      // construction for a cleanup that takes any time at all.
      List<Callable<Object>> tasks = times(4, t -> () -> {
        if (t == 0) {
          cleanupStarted.countDown();
          store.deleteInactiveBefore(cutoff);
          cleaned.set(true);
          return null;
        }
        cleanupStarted.await();
        Thread.sleep(1);
        for (int round = 0; round < 3 && !cleaned.get(); round++) {
          for (int i = t - 1; i < conversations && !cleaned.get(); i += 3) {
            String previous = latest.getOrDefault(i, "resp_" + i + "_b");
            String id = "resp_" + i + "_c" + round;
            try {
              store.record(turn(previous, id).build());
              recorded.put(id, i);
              latest.put(i, id);
            } catch (StateNotFoundException removed) {
              // cleanup removed the conversation first
            }
          }
        }
        return null;
      });
      runTogether(tasks);
      recorded.forEach((id, i) -> {
        Optional<History> history = store.history(null, id);
        assertThat(history).as("acknowledged %s", id).isPresent();
        assertThat(history.get().responseIds().subList(0, 2)).as("the start of %s's history", id)
            .containsExactly("resp_" + i, "resp_" + i + "_b");
      });
    }

    @Test
    @DisplayName("records, reads, listings and deletes together raise no error, and every acknowledged turn not deleted reads back whole")
    void mixedWorkload() throws Exception {
      Map<String, String> acknowledged = new ConcurrentHashMap<>();
      AtomicInteger torn = new AtomicInteger();
      for (int s = 0; s < 5; s++) {
        first("resp_shared_" + s);
      }
      List<Callable<Object>> tasks = times(THREADS, t -> () -> {
        for (int i = 0; i < 60; i++) {
          String own = "resp_own_" + t + "_" + i;
          String shared = "resp_shared_" + (i % 5);
          switch (t % 4) {
            case 0:
              try {
                store.record(turn(shared, own).input(messages("own " + t + " " + i, 2)).build());
                acknowledged.put(own, "own " + t + " " + i);
              } catch (StateNotFoundException expected) {
                // a concurrent delete got there first
              }
              break;
            case 1:
              store.history(null, shared).ifPresent(h -> {
                if (h.items().size() != 2) {
                  torn.incrementAndGet();
                }
              });
              store.inputItems(null, shared, ItemQuery.firstPage());
              break;
            case 2:
              try {
                store.record(turn(shared, "resp_fork_" + t + "_" + i).build());
              } catch (StateNotFoundException expected) {
                // a concurrent delete got there first
              }
              break;
            default:
              if (i == 30) {
                awaitAcknowledged(acknowledged, 10);
                store.delete(null, shared);
              }
              store.turn(null, shared);
              break;
          }
        }
        return null;
      });
      runTogether(tasks);
      assertThat(torn).as("torn reads").hasValue(0);
      acknowledged.forEach((id, tag) -> assertSameItems(messages(tag, 2), history(id).last().input()));
    }
  }

  /** Waits (at most 30 s) until some own turns are acknowledged, so deletes overlap recordings by construction. */
  private static void awaitAcknowledged(Map<String, String> acknowledged, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (acknowledged.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
  }

  @Nested
  @DisplayName("close")
  class Closing {

    @Test
    @DisplayName("every call after close throws StoreClosedException")
    void callsAfterClose() {
      first("resp_1");
      store.close();
      List<Runnable> calls = List.of(
          () -> store.record(turn("resp_2").build()),
          () -> store.checkRecordable(turn("resp_2").build()),
          () -> store.history(null, "resp_1"),
          () -> store.turn(null, "resp_1"),
          () -> store.inputItems(null, "resp_1", ItemQuery.firstPage()),
          () -> store.delete(null, "resp_1"),
          () -> store.deleteInactiveBefore(clock.instant()),
          () -> store.ping());
      for (Runnable call : calls) {
        assertThatThrownBy(call::run).isInstanceOf(StoreClosedException.class);
      }
    }

    @Test
    @DisplayName("ping answers on an open store, empty or not, and writes nothing")
    void pingAnswers() {
      store.ping();
      first("resp_1");
      store.ping();
      assertThat(history("resp_1").size()).isEqualTo(1);
      assertAbsent(null, "convstate-ping");
    }

    @Test
    @DisplayName("close twice is fine")
    void closeTwice() {
      store.close();
      store.close();
      assertThatThrownBy(() -> store.turn(null, "resp_1")).isInstanceOf(StoreClosedException.class);
    }
  }

  @Nested
  @DisplayName("discovery through ServiceLoader")
  class Discovery {

    @Test
    @DisplayName("the backend's provider is found by its type name, which is lower case")
    void providerFound() {
      StateStoreProviders providers = StateStoreProviders.load();
      assertThat(providers.types()).contains(providerType());
      assertThat(providers.require(providerType()).type()).isEqualTo(providerType());
      assertThat(providerType()).isEqualTo(providerType().toLowerCase(Locale.ROOT)).isNotBlank();
    }

    @Test
    @DisplayName("the provider opens a working store from configuration, on the same storage")
    void opensFromConfiguration() {
      Map<String, String> config = new HashMap<>(providerConfiguration());
      config.put(StoreConfig.TYPE, providerType());
      try (StateStore opened = StateStores.open(config)) {
        String id = "resp_discovery_" + System.nanoTime();
        Turn written = opened.record(turn(id).build());
        assertSameRecord(written, opened.turn(null, id).orElseThrow());
        assertThat(opened.delete(null, id)).isTrue();
      }
    }

    @Test
    @DisplayName("an unknown option is refused with the closest known one suggested")
    void unknownOption() {
      Map<String, String> config = new HashMap<>(providerConfiguration());
      config.put(StoreConfig.TYPE, providerType());
      config.put("max_items_byte", "1MiB");
      assertThatThrownBy(() -> StateStores.open(config))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("max_items_byte")
          .hasMessageContaining("did you mean 'max_items_bytes'");
    }
  }

  @Nested
  @DisplayName("the Responses helpers on this store follow conversation-chain.json")
  class ResponsesChain {

    private final JsonNode fixture = JsonAssertions.resource("conversation-chain.json");

    @Test
    @DisplayName("every turn's upstream input and stored history match the fixture, recording only the new turn")
    void everyTurnMatches() {
      ResponsesConversations conversations = new ResponsesConversations(store, Clock.fixed(TestClock.START, ZoneOffset.UTC));
      for (JsonNode step : fixture.get("turns")) {
        JsonNode request = step.get("request");
        JsonNode response = step.get("response");
        String id = response.get("id").asText();
        PreparedTurn prepared = conversations.prepare("owner-1", request.get("previous_response_id"), request.get("input"));
        assertJsonEquals(step.get("upstream_input"), JsonAssertions.parse(prepared.upstreamInput().toJson()));
        Turn stored = conversations.record(prepared, id, response.get("output"), fixture.get("model").asText(), fixture.get("provider").asText());
        assertSameItems(prepared.newInput(), stored.input());
        assertJsonEquals(step.get("stored_input_items"), JsonAssertions.parse(store.history("owner-1", id).orElseThrow().items().toJson()));
        assertThat(stored.createdAt()).isEqualTo(TestClock.START.getEpochSecond());
      }
    }

    @Test
    @DisplayName("an unknown previous_response_id gets OpenAI's 400 body, and so does another owner's")
    void unknownPrevious() {
      JsonNode unknown = fixture.get("unknown_previous_response");
      ResponsesConversations conversations = new ResponsesConversations(store);
      Throwable thrown = catchThrowable(() ->
          conversations.prepare(null, unknown.get("request").get("previous_response_id"), unknown.get("request").get("input")));
      assertThat(thrown).isInstanceOf(PreviousResponseNotFoundException.class);
      assertThat(((PreviousResponseNotFoundException) thrown).httpStatus()).isEqualTo(unknown.get("http_status").asInt());
      assertJsonEquals(unknown.get("error"), ((PreviousResponseNotFoundException) thrown).errorBody());
      store.record(turn("resp_missing").owner("someone-else").build());
      Throwable foreign = catchThrowable(() ->
          conversations.prepare(null, unknown.get("request").get("previous_response_id"), unknown.get("request").get("input")));
      assertJsonEquals(unknown.get("error"), ((PreviousResponseNotFoundException) foreign).errorBody());
    }
  }
}
