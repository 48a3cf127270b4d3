package io.convstate.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.ItemPage;
import io.convstate.ItemQuery.Order;
import io.convstate.ItemQuery;
import io.convstate.ResponseConflictException;
import io.convstate.StateNotFoundException;
import io.convstate.Turn;
import io.convstate.Validation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The kit's groups on the turn log itself: recording, create-only, histories, owners, listings and
 * deletes. Part of {@link StateStoreCompatibilityKit}; extend the kit, not this class.
 */
public abstract class TurnLogGroups extends KitSupport {

  @Nested
  @DisplayName("record keeps a turn exactly")
  class Recording {

    @Test
    @DisplayName("a turn read back holds every field written, stamped with the store's clock")
    void readBackEqualsWritten() {
      Instant now = later(Duration.ofMillis(1234));
      Turn written = turn("resp_1").metadata("{\"status\":\"completed\",\"usage\":{\"total_tokens\":42}}").build();
      store.record(written);
      assertStored(written, store.turn(null, "resp_1").orElseThrow(), CREATED_AT, now);
    }

    @Test
    @DisplayName("record returns the turn as stored, as a read returns it next")
    void recordReturnsStored() {
      Instant now = later(Duration.ofMillis(5));
      Turn written = turn("resp_1").build();
      Turn returned = store.record(written);
      assertStored(written, returned, CREATED_AT, now);
      later(Duration.ofHours(1));
      assertStored(written, store.turn(null, "resp_1").orElseThrow(), CREATED_AT, now);
    }

    @Test
    @DisplayName("recorded_at comes from the store's clock, never from the turn handed in")
    void recordedAtIsStoreManaged() {
      Instant now = later(Duration.ofDays(3).plusMillis(7));
      Turn returned = store.record(turn("resp_1").recordedAt(Instant.parse("2001-01-01T00:00:00Z")).build());
      assertThat(returned.recordedAt()).contains(now);
      assertThat(store.turn(null, "resp_1").orElseThrow().recordedAt()).contains(now);
    }

    @Test
    @DisplayName("recorded_at keeps millisecond precision")
    void recordedAtMilliseconds() {
      Instant now = later(Duration.ofMillis(999));
      store.record(turn("resp_1").build());
      assertThat(store.turn(null, "resp_1").orElseThrow().recordedAt()).contains(now);
    }

    @Test
    @DisplayName("each turn keeps its own created_at, and every turn carries the first turn's as the conversation's start")
    void conversationStartFromFirstTurn() {
      store.record(turn("resp_1").createdAt(100).build());
      store.record(turn("resp_1", "resp_2").createdAt(200).conversationCreatedAt(7).build());
      store.record(turn("resp_2", "resp_3").createdAt(4_102_444_800L).build());
      for (String id : List.of("resp_1", "resp_2", "resp_3")) {
        assertThat(store.turn(null, id).orElseThrow().conversationCreatedAt()).as("conversation start of %s", id).isEqualTo(100);
      }
      assertThat(store.turn(null, "resp_2").orElseThrow().createdAt()).isEqualTo(200);
      assertThat(store.turn(null, "resp_3").orElseThrow().createdAt()).isEqualTo(4_102_444_800L);
      assertThat(history("resp_3").conversationCreatedAt()).isEqualTo(100);
    }

    @Test
    @DisplayName("a turn with empty input or empty output, without metadata, is a valid turn")
    void emptyTurn() {
      Turn written = Turn.builder("resp_empty").model("m").provider("p").createdAt(0).build();
      store.record(written);
      assertStored(written, store.turn(null, "resp_empty").orElseThrow(), 0, clock.instant());
      assertThat(history("resp_empty").items().size()).isZero();
    }

    @Test
    @DisplayName("ids, owners, models and providers are exact: case, white space, the longest accepted and non-ASCII values")
    void namesAreExact() {
      String longId = "resp_" + "x".repeat(Validation.MAX_NAME_LENGTH - 5);
      String longName = "m\u00E9".repeat(Validation.MAX_NAME_LENGTH / 2);
      store.record(turn("resp_long_names").model(longName).provider(longName).owner(longName).build());
      Turn longRead = store.turn(longName, "resp_long_names").orElseThrow();
      assertThat(longRead.model()).isEqualTo(longName);
      assertThat(longRead.provider()).isEqualTo(longName);
      List<String> ids = List.of("resp_a", "RESP_A", "resp_a ", " resp_a", "resp_é", "resp_e\u0301", "resp_\uD83D\uDE00", longId);
      for (String id : ids) {
        store.record(turn(id).model("Model " + id.length()).provider("Provider\u00A0" + id.length()).owner(owner(id)).build());
      }
      for (String id : ids) {
        Turn read = store.turn(owner(id), id).orElseThrow(() -> new AssertionError("turn of '" + id + "'"));
        assertThat(read.responseId()).isEqualTo(id);
        assertThat(read.model()).isEqualTo("Model " + id.length());
        assertThat(read.provider()).isEqualTo("Provider\u00A0" + id.length());
        assertThat(read.owner()).contains(owner(id));
        assertSameItems(messages(id + " asks", 1), read.input());
      }
    }

    /** A distinct owner per id, as exact as the ids: the id itself when it is short. */
    private String owner(String id) {
      return id.length() < 100 ? id : "Owner\u00E9 " + id.length();
    }

    @Test
    @DisplayName("a created_at far in the future and one of zero are kept")
    void createdAtRange() {
      store.record(turn("resp_far").createdAt(253_402_300_799L).build());
      store.record(turn("resp_zero").createdAt(0).build());
      assertThat(store.turn(null, "resp_far").orElseThrow().createdAt()).isEqualTo(253_402_300_799L);
      assertThat(store.turn(null, "resp_zero").orElseThrow().createdAt()).isZero();
    }
  }

  @Nested
  @DisplayName("a recorded turn is never overwritten")
  class CreateOnly {

    @Test
    @DisplayName("recording a different turn under a taken id throws ResponseConflictException and leaves the stored turn as it was")
    void conflictKeepsOriginal() {
      Turn original = store.record(turn("resp_1").build());
      later(Duration.ofMinutes(1));
      Throwable thrown = catchThrowable(() -> store.record(turn("resp_1").output(messages("other", 2)).build()));
      assertThat(thrown).isInstanceOf(ResponseConflictException.class);
      assertThat(((ResponseConflictException) thrown).responseId()).isEqualTo("resp_1");
      assertThat(thrown).hasMessageContaining("resp_1");
      assertStored(original, store.turn(null, "resp_1").orElseThrow(), CREATED_AT, original.recordedAt().orElseThrow());
    }

    @Test
    @DisplayName("a difference in any one field is a conflict: previous id, owner, model, provider, created_at, input, output, metadata")
    void everyFieldCounts() {
      chain("resp_a", "resp_b");
      Turn original = store.record(turn("resp_a", "resp_1").metadata("{\"k\":1}").build());
      List<UnaryOperator<Turn.Builder>> changes = List.of(
          b -> b.previousResponseId("resp_b"),
          b -> b.previousResponseId(null),
          b -> b.model(MODEL + "-mini"),
          b -> b.provider("azure"),
          b -> b.createdAt(CREATED_AT + 1),
          b -> b.input(messages("changed", 1)),
          b -> b.output(messages("changed", 1)),
          b -> b.metadata("{\"k\":2}"),
          b -> b.metadata(null));
      for (int i = 0; i < changes.size(); i++) {
        Turn changed = changes.get(i).apply(original.toBuilder()).build();
        assertThatThrownBy(() -> store.record(changed)).as("change %d", i).isInstanceOf(ResponseConflictException.class);
      }
      assertSameRecord(original, store.turn(null, "resp_1").orElseThrow());
      assertSameItems(itemsOf(store.turn(null, "resp_a").orElseThrow(), original), history("resp_1").items());
      Turn owned = store.record(turn("resp_owned").owner("tenant-a").build());
      assertThatThrownBy(() -> store.record(owned.toBuilder().owner("tenant-b").build())).isInstanceOf(ResponseConflictException.class);
      assertThatThrownBy(() -> store.record(owned.toBuilder().owner(null).build())).isInstanceOf(ResponseConflictException.class);
      assertSameRecord(owned, store.turn("tenant-a", "resp_owned").orElseThrow());
    }

    @Test
    @DisplayName("recording the same turn again (a retry) returns the stored turn and writes nothing")
    void sameRecordAgain() {
      Instant first = clock.instant();
      Turn written = turn("resp_1").metadata("{\"b\":1,\"a\":[1.50,\"x\"]}").build();
      store.record(written);
      later(Duration.ofHours(2));
      Turn again = store.record(written);
      assertStored(written, again, CREATED_AT, first);
      assertStored(written, store.turn(null, "resp_1").orElseThrow(), CREATED_AT, first);
      store.record(turn("resp_1", "resp_2").build());
      Turn retried = store.record(turn("resp_1", "resp_2").build());
      assertThat(retried.conversationCreatedAt()).isEqualTo(CREATED_AT);
      assertThat(history("resp_2").size()).isEqualTo(2);
    }

    @Test
    @DisplayName("a deleted response's id stays taken")
    void deletedIdStaysTaken() {
      Turn written = store.record(turn("resp_1").build());
      assertThat(store.delete(null, "resp_1")).isTrue();
      assertThatThrownBy(() -> store.record(turn("resp_1").output(messages("new", 1)).build()))
          .isInstanceOf(ResponseConflictException.class);
      assertThatThrownBy(() -> store.record(written.toBuilder().recordedAt(null).build()))
          .isInstanceOf(ResponseConflictException.class);
      assertAbsent(null, "resp_1");
    }

    @Test
    @DisplayName("a conflicting turn that continues a response leaves that response's history and its children alone")
    void conflictLeavesChainAlone() {
      Turn a = first("resp_a");
      Turn b = store.record(turn("resp_a", "resp_b").build());
      Turn c = store.record(turn("resp_b", "resp_c").build());
      assertThatThrownBy(() -> store.record(turn("resp_a", "resp_b").input(messages("fork", 3)).build()))
          .isInstanceOf(ResponseConflictException.class);
      assertSameItems(itemsOf(a, b, c), history("resp_c").items());
      assertThat(history("resp_c").responseIds()).containsExactly("resp_a", "resp_b", "resp_c");
    }
  }

  @Nested
  @DisplayName("a history is the chain of turns up to a response")
  class Histories {

    @Test
    @DisplayName("a read of an unknown id is empty, not an error")
    void unknownIsEmpty() {
      assertAbsent(null, "resp_unknown");
      assertAbsent("owner", "resp_unknown");
    }

    @Test
    @DisplayName("the history holds every turn's input then output, first turn first")
    void chainInOrder() {
      List<Turn> turns = new ArrayList<>();
      turns.add(store.record(turn("resp_0").input(messages("start", 3)).output(InputItems.empty()).build()));
      for (int i = 1; i < 5; i++) {
        later(Duration.ofSeconds(1));
        turns.add(store.record(turn("resp_" + (i - 1), "resp_" + i).input(messages("in " + i, i)).output(messages("out " + i, 2)).build()));
      }
      History history = history("resp_4");
      assertThat(history.size()).isEqualTo(5);
      assertThat(history.responseIds()).containsExactly("resp_0", "resp_1", "resp_2", "resp_3", "resp_4");
      assertSameItems(itemsOf(turns.toArray(new Turn[0])), history.items());
      for (int i = 0; i < 5; i++) {
        assertStored(turns.get(i), history.turns().get(i), CREATED_AT, turns.get(i).recordedAt().orElseThrow());
      }
    }

    @Test
    @DisplayName("a turn read alone holds only its own input and output")
    void turnHoldsOnlyItsOwn() {
      Turn a = first("resp_a");
      Turn b = store.record(turn("resp_a", "resp_b").build());
      first("resp_unrelated");
      assertSameRecord(b, store.turn(null, "resp_b").orElseThrow());
      assertSameItems(itemsOf(a), history("resp_a").items());
    }

    @Test
    @DisplayName("continuing an unknown response throws StateNotFoundException naming it, and writes nothing")
    void unknownPrevious() {
      Throwable thrown = catchThrowable(() -> store.record(turn("resp_missing", "resp_1").build()));
      assertThat(thrown).isInstanceOf(StateNotFoundException.class);
      assertThat(((StateNotFoundException) thrown).responseId()).isEqualTo("resp_missing");
      assertAbsent(null, "resp_1");
      store.record(turn("resp_1").build());
      assertThat(history("resp_1").size()).isEqualTo(1);
    }

    @Test
    @DisplayName("forks: two turns may continue one response, each with its own branch, the parent unchanged")
    void forks() {
      Turn a = first("resp_a");
      Turn left = store.record(turn("resp_a", "resp_left").build());
      Turn right = store.record(turn("resp_a", "resp_right").input(messages("right", 2)).build());
      Turn leftChild = store.record(turn("resp_left", "resp_left_2").build());
      assertSameItems(itemsOf(a, left, leftChild), history("resp_left_2").items());
      assertSameItems(itemsOf(a, right), history("resp_right").items());
      assertSameItems(itemsOf(a), history("resp_a").items());
      assertThat(history("resp_right").responseIds()).containsExactly("resp_a", "resp_right");
    }

    @Test
    @DisplayName("a chain of 300 turns rebuilds the whole conversation in order")
    void longChain() {
      List<Turn> turns = new ArrayList<>();
      turns.add(first("resp_0"));
      for (int i = 1; i < 300; i++) {
        turns.add(store.record(turn("resp_" + (i - 1), "resp_" + i).build()));
      }
      History history = history("resp_299");
      assertThat(history.size()).isEqualTo(300);
      assertSameItems(itemsOf(turns.toArray(new Turn[0])), history.items());
      assertThat(history("resp_150").size()).isEqualTo(151);
    }
  }

  @Nested
  @DisplayName("another owner's turn reads exactly as an absent one")
  class Owners {

    @Test
    @DisplayName("a turn is read by its own owner only: not by another owner, not unscoped")
    void otherOwnerSeesNothing() {
      store.record(turn("resp_a").owner("tenant-a").build());
      assertThat(store.history("tenant-a", "resp_a")).isPresent();
      assertThat(store.turn("tenant-a", "resp_a")).isPresent();
      assertAbsent("tenant-b", "resp_a");
      assertAbsent(null, "resp_a");
      assertAbsent("TENANT-A", "resp_a");
      assertAbsent("tenant-a ", "resp_a");
      assertThat(store.inputItems("tenant-b", "resp_a", ItemQuery.of("msg_bogus", null, 10, Order.ASC)))
          .as("another owner's listing with a bogus cursor reads as absent, not as a bad cursor").isEmpty();
    }

    @Test
    @DisplayName("an unscoped turn is not read by an owner")
    void unscopedIsNotOwned() {
      first("resp_open");
      assertThat(store.history(null, "resp_open")).isPresent();
      assertAbsent("tenant-a", "resp_open");
    }

    @Test
    @DisplayName("continuing another owner's response fails exactly as continuing an unknown one")
    void continuingForeignIsNotFound() {
      store.record(turn("resp_a").owner("tenant-a").build());
      Throwable foreign = catchThrowable(() -> store.record(turn("resp_a", "resp_b").owner("tenant-b").build()));
      Throwable unscoped = catchThrowable(() -> store.record(turn("resp_a", "resp_c").build()));
      Throwable unknown = catchThrowable(() -> store.record(turn("resp_z", "resp_d").owner("tenant-b").build()));
      assertThat(foreign).isInstanceOf(StateNotFoundException.class).hasSameClassAs(unknown);
      assertThat(unscoped).hasSameClassAs(unknown);
      assertThat(foreign.getMessage().replace("resp_a", "ID")).isEqualTo(unknown.getMessage().replace("resp_z", "ID"));
      assertThat(unscoped.getMessage().replace("resp_a", "ID")).isEqualTo(unknown.getMessage().replace("resp_z", "ID"));
      assertAbsent("tenant-b", "resp_b");
      assertAbsent(null, "resp_c");
      assertThat(store.turn("tenant-a", "resp_b")).isEmpty();
      assertThat(history("resp_a", "tenant-a").size()).isEqualTo(1);
    }

    @Test
    @DisplayName("another owner cannot delete a turn: delete says false and the turn stays")
    void foreignDelete() {
      store.record(turn("resp_a").owner("tenant-a").build());
      assertThat(store.delete("tenant-b", "resp_a")).isFalse();
      assertThat(store.delete(null, "resp_a")).isFalse();
      assertThat(store.turn("tenant-a", "resp_a")).isPresent();
      assertThat(store.delete("tenant-a", "resp_a")).isTrue();
    }

    @Test
    @DisplayName("an owner continues its own conversation, and the whole chain stays its own")
    void ownChain() {
      store.record(turn("resp_a").owner("tenant-a").build());
      store.record(turn("resp_a", "resp_b").owner("tenant-a").build());
      assertThat(history("resp_b", "tenant-a").responseIds()).containsExactly("resp_a", "resp_b");
      assertAbsent("tenant-b", "resp_b");
      assertThat(store.inputItems("tenant-a", "resp_b", ItemQuery.firstPage())).isPresent();
    }

    private History history(String responseId, String owner) {
      return store.history(owner, responseId).orElseThrow(() -> new AssertionError("history of " + responseId + " for " + owner));
    }
  }

  @Nested
  @DisplayName("a response's input items page by item id")
  class InputItemListing {

    @Test
    @DisplayName("the input items are every earlier turn's input and output, then the response's own input, not its output")
    void listsInput() {
      Turn a = first("resp_a");
      Turn b = store.record(turn("resp_a", "resp_b").input(messages("b", 2)).build());
      Turn c = store.record(turn("resp_b", "resp_c").build());
      ItemPage page = store.inputItems(null, "resp_c", ItemQuery.of(null, null, 100, Order.ASC)).orElseThrow();
      assertSameItems(itemsOf(a, b).concat(c.input()), itemsOfPage(page));
      assertThat(page.hasMore()).isFalse();
    }

    @Test
    @DisplayName("the default is OpenAI's: newest first, 20 items")
    void defaultsNewestFirst() {
      Turn a = store.record(turn("resp_a").input(messages("a", 30)).output(messages("out", 0)).build());
      ItemPage page = store.inputItems(null, "resp_a", ItemQuery.firstPage()).orElseThrow();
      assertThat(page.data()).hasSize(20);
      assertThat(page.hasMore()).isTrue();
      assertThat(page.data().get(0).json()).contains("a 29");
      assertThat(page.data().get(19).json()).contains("a 10");
      assertThat(a.input().size()).isEqualTo(30);
    }

    @Test
    @DisplayName("ids are stable: an item's own id is kept, the others get prefixed ids that are the same on every read and in every later history")
    void stableIds() {
      store.record(turn("resp_a")
          .input(items("[{\"type\":\"message\",\"role\":\"user\",\"content\":\"hi\"},{\"role\":\"user\",\"content\":\"easy\"},"
              + "{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"42\"}]"))
          .output(items("[{\"id\":\"fc_given\",\"type\":\"function_call\",\"call_id\":\"call_2\",\"name\":\"f\",\"arguments\":\"{}\"}]"))
          .build());
      store.record(turn("resp_a", "resp_b").build());
      store.record(turn("resp_b", "resp_c").build());
      List<String> fromB = ids("resp_b");
      assertThat(ids("resp_b")).isEqualTo(fromB);
      assertThat(ids("resp_c").subList(0, fromB.size())).isEqualTo(fromB);
      assertThat(fromB.get(0)).startsWith("msg_");
      assertThat(fromB.get(1)).startsWith("msg_");
      assertThat(fromB.get(2)).startsWith("fco_");
      assertThat(fromB.get(3)).isEqualTo("fc_given");
      assertThat(new HashSet<>(ids("resp_c"))).hasSize(ids("resp_c").size());
      ItemPage.Item first = store.inputItems(null, "resp_b", ItemQuery.of(null, null, 1, Order.ASC)).orElseThrow().data().get(0);
      assertThat(first.toJsonNode().get("id").asText()).isEqualTo(fromB.get(0));
    }

    @Test
    @DisplayName("pages follow each other by the last id, in both orders, with first_id, last_id and has_more")
    void pagesInBothOrders() {
      chainOfItems();
      for (Order order : Order.values()) {
        List<String> all = ids("resp_2", order);
        assertThat(all).hasSize(25);
        List<String> paged = new ArrayList<>();
        List<Boolean> hasMore = new ArrayList<>();
        ItemQuery query = ItemQuery.of(null, null, 10, order);
        for (int pages = 1; ; pages++) {
          assertThat(pages).as("pages of 10 needed for 25 items").isLessThanOrEqualTo(3);
          ItemPage page = store.inputItems(null, "resp_2", query).orElseThrow();
          assertThat(page.firstId()).isEqualTo(page.data().get(0).id());
          assertThat(page.lastId()).isEqualTo(page.data().get(page.data().size() - 1).id());
          page.data().forEach(item -> paged.add(item.id()));
          hasMore.add(page.hasMore());
          if (!page.hasMore()) {
            break;
          }
          query = query.after(page.lastId());
        }
        assertThat(paged).as("%s pages", order).isEqualTo(all);
        assertThat(hasMore).containsExactly(true, true, false);
      }
      List<String> asc = ids("resp_2", Order.ASC);
      List<String> desc = new ArrayList<>(ids("resp_2", Order.DESC));
      Collections.reverse(desc);
      assertThat(desc).isEqualTo(asc);
    }

    @Test
    @DisplayName("before lists the items that precede a cursor in the order, up to the limit")
    void beforeCursor() {
      chainOfItems();
      List<String> asc = ids("resp_2", Order.ASC);
      ItemPage page = store.inputItems(null, "resp_2", ItemQuery.of(null, asc.get(12), 5, Order.ASC)).orElseThrow();
      assertThat(page.data().stream().map(ItemPage.Item::id)).containsExactlyElementsOf(asc.subList(0, 5));
      assertThat(page.hasMore()).isTrue();
      ItemPage between = store.inputItems(null, "resp_2", ItemQuery.of(asc.get(3), asc.get(7), 100, Order.ASC)).orElseThrow();
      assertThat(between.data().stream().map(ItemPage.Item::id)).containsExactlyElementsOf(asc.subList(4, 7));
      assertThat(between.hasMore()).isFalse();
      ItemPage descending = store.inputItems(null, "resp_2", ItemQuery.of(null, asc.get(20), 100, Order.DESC)).orElseThrow();
      assertThat(descending.data()).hasSize(4);
      assertThat(descending.firstId()).isEqualTo(asc.get(24));
    }

    @Test
    @DisplayName("limit is 1 to 100: the bounds work, and a limit outside them is refused naming limit")
    void limitBounds() {
      store.record(turn("resp_a").input(messages("many", 120)).build());
      assertThat(store.inputItems(null, "resp_a", ItemQuery.of(null, null, 1, Order.ASC)).orElseThrow().data()).hasSize(1);
      ItemPage hundred = store.inputItems(null, "resp_a", ItemQuery.of(null, null, 100, Order.ASC)).orElseThrow();
      assertThat(hundred.data()).hasSize(100);
      assertThat(hundred.hasMore()).isTrue();
      assertInvalid(() -> ItemQuery.of(null, null, 0, Order.ASC), "limit");
      assertInvalid(() -> ItemQuery.of(null, null, 101, Order.ASC), "limit");
    }

    @Test
    @DisplayName("a cursor that is not an item of the response's input is refused naming after or before, even an item of a fork or of its own output")
    void unknownCursor() {
      store.record(turn("resp_a").build());
      store.record(turn("resp_a", "resp_b").build());
      store.record(turn("resp_b", "resp_c").build());
      store.record(turn("resp_a", "resp_fork").build());
      String forkInput = ids("resp_fork").get(2);
      String ownOutput = ids("resp_c").get(3);
      assertThat(ids("resp_b")).hasSize(3).doesNotContain(forkInput, ownOutput);
      assertInvalid(() -> store.inputItems(null, "resp_b", ItemQuery.of("msg_nothing", null, 10, Order.ASC)), "after");
      assertInvalid(() -> store.inputItems(null, "resp_b", ItemQuery.of(null, "msg_nothing", 10, Order.ASC)), "before");
      assertInvalid(() -> store.inputItems(null, "resp_b", ItemQuery.of(forkInput, null, 10, Order.DESC)), "after");
      assertInvalid(() -> store.inputItems(null, "resp_b", ItemQuery.of(null, ownOutput, 10, Order.ASC)), "before");
    }

    @Test
    @DisplayName("cursors stay valid while turns are added to the conversation")
    void cursorsStableWhileRecording() throws Exception {
      chainOfItems();
      List<String> before = ids("resp_2", Order.ASC);
      ItemPage first = store.inputItems(null, "resp_2", ItemQuery.of(null, null, 10, Order.ASC)).orElseThrow();
      runTogether(times(4, t -> () -> {
        for (int i = 0; i < 5; i++) {
          store.record(turn("resp_2", "resp_2_" + t + "_" + i).build());
        }
        return null;
      }));
      ItemPage second = store.inputItems(null, "resp_2", ItemQuery.of(first.lastId(), null, 10, Order.ASC)).orElseThrow();
      assertThat(second.data().stream().map(ItemPage.Item::id)).containsExactlyElementsOf(before.subList(10, 20));
      assertThat(ids("resp_2", Order.ASC)).isEqualTo(before);
    }

    /** Three turns whose input items number 25 in resp_2's input. */
    private void chainOfItems() {
      store.record(turn("resp_0").input(messages("zero", 8)).output(messages("zero out", 2)).build());
      store.record(turn("resp_0", "resp_1").input(messages("one", 5)).output(messages("one out", 3)).build());
      store.record(turn("resp_1", "resp_2").input(messages("two", 7)).build());
    }

    private List<String> ids(String responseId) {
      return ids(responseId, Order.ASC);
    }

    private List<String> ids(String responseId, Order order) {
      List<String> ids = new ArrayList<>();
      ItemQuery query = ItemQuery.of(null, null, 100, order);
      for (int pages = 1; ; pages++) {
        assertThat(pages).as("pages of 100 items of %s", responseId).isLessThan(1_000);
        ItemPage page = store.inputItems(null, responseId, query).orElseThrow(() -> new AssertionError("input items of " + responseId));
        page.data().forEach(item -> ids.add(item.id()));
        if (!page.hasMore()) {
          return ids;
        }
        query = query.after(page.lastId());
      }
    }
  }

  @Nested
  @DisplayName("delete makes a response unreadable and never breaks a later turn")
  class Deletes {

    @Test
    @DisplayName("delete says true once, and the response reads as absent everywhere")
    void deleteOnce() {
      first("resp_1");
      assertThat(store.delete(null, "resp_1")).isTrue();
      assertThat(store.delete(null, "resp_1")).isFalse();
      assertAbsent(null, "resp_1");
    }

    @Test
    @DisplayName("delete of an unknown id says false")
    void deleteUnknown() {
      assertThat(store.delete(null, "resp_unknown")).isFalse();
      assertThat(store.delete("owner", "resp_unknown")).isFalse();
    }

    @Test
    @DisplayName("a deleted response cannot be continued")
    void deletedCannotBeContinued() {
      first("resp_1");
      store.delete(null, "resp_1");
      assertThatThrownBy(() -> store.record(turn("resp_1", "resp_2").build())).isInstanceOf(StateNotFoundException.class);
      assertAbsent(null, "resp_2");
    }

    @Test
    @DisplayName("a later turn keeps its whole history, listing included, after earlier responses are deleted")
    void descendantKeepsHistory() {
      Turn a = first("resp_a");
      Turn b = store.record(turn("resp_a", "resp_b").build());
      Turn c = store.record(turn("resp_b", "resp_c").build());
      List<String> listed = idsOf("resp_c");
      assertThat(store.delete(null, "resp_b")).isTrue();
      assertSameItems(itemsOf(a, b, c), history("resp_c").items());
      assertThat(store.delete(null, "resp_a")).isTrue();
      assertSameItems(itemsOf(a, b, c), history("resp_c").items());
      assertThat(history("resp_c").responseIds()).containsExactly("resp_a", "resp_b", "resp_c");
      assertThat(idsOf("resp_c")).isEqualTo(listed);
      Turn d = store.record(turn("resp_c", "resp_d").build());
      assertSameItems(itemsOf(a, b, c, d), history("resp_d").items());
      assertAbsent(null, "resp_a");
      assertAbsent(null, "resp_b");
    }

    @Test
    @DisplayName("delete removes the named response only: its parent, siblings and children stay readable")
    void deleteOnlyNamed() {
      chain("resp_a", "resp_b", "resp_c");
      store.record(turn("resp_a", "resp_sibling").build());
      store.delete(null, "resp_b");
      assertThat(store.turn(null, "resp_a")).isPresent();
      assertThat(store.turn(null, "resp_sibling")).isPresent();
      assertThat(store.turn(null, "resp_c")).isPresent();
      assertThat(history("resp_sibling").responseIds()).containsExactly("resp_a", "resp_sibling");
    }

    private List<String> idsOf(String responseId) {
      return store.inputItems(null, responseId, ItemQuery.of(null, null, 100, Order.ASC)).orElseThrow()
          .data().stream().map(ItemPage.Item::id).collect(Collectors.toList());
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** The items of a page, in its order, as one array. */
  static InputItems itemsOfPage(ItemPage page) {
    return InputItems.parse(page.data().stream().map(ItemPage.Item::json).collect(Collectors.joining(",", "[", "]")));
  }

}
