package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.ConfigurationException;
import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.ItemPage;
import io.convstate.ItemQuery;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.conformance.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Copying a conversation_states table into a turns table")
class CopyToTurnsTest {

  private static final String SEED = "copy_test.conversation_states";
  private static final String TURNS = "copy_test.conversation_turns";

  private final TestClock clock = new TestClock();
  private final List<String> ids = new ArrayList<>();
  private final List<String> owners = new ArrayList<>();

  private static Map<String, String> options(Layout layout, String table) {
    return TestDatabase.get().options(table, "layout", layout.optionValue());
  }

  private PostgresStateStore store(Layout layout, String table) {
    return new PostgresStateStore(StoreConfig.of(options(layout, table)), clock);
  }

  private static Turn turn(String id, String previous, String owner, int n) {
    return Turn.builder(id)
        .previousResponseId(previous)
        .owner(owner)
        .input(InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"q" + n
            + "\"}]}" + (n % 3 == 0 ? ",{\"type\":\"function_call_output\",\"call_id\":\"c" + n + "\",\"output\":\"{\\\"n\\\": 1.50}\"}" : "")
            + "]"))
        .output(n % 4 == 0 ? InputItems.empty() : InputItems.parse("[{\"type\":\"message\",\"id\":\"msg_" + id
            + "\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"a" + n + " \\u00e9 😀\"}]}]"))
        .model(n % 2 == 0 ? "gpt-4o" : "o3")
        .provider("openai")
        .createdAt(1_700_000_000L + n)
        .metadata(n % 2 == 0 ? "{\"status\":\"completed\",\"usage\":{\"total_tokens\":" + (100 + n) + "},\"big\":12345678901234567890}" : null)
        .build();
  }

  private void record(PostgresStateStore store, String id, String previous, String owner, int n) {
    store.record(turn(id, previous, owner, n));
    ids.add(id);
    owners.add(owner);
    clock.advance(Duration.ofSeconds(1));
  }

  /**
   * A seed table as a deployment has it: chains, forks, owners, metadata, a deleted response in the
   * middle of a chain, a row gone (hard-deleted by an old cleanup) under a live descendant, and rows
   * written by another tool.
   */
  @BeforeEach
  void seedTable() {
    TestDatabase db = TestDatabase.get();
    db.execute("DROP SCHEMA IF EXISTS copy_test CASCADE", "CREATE SCHEMA copy_test",
        Schema.createScript(Layout.CONVERSATION_STATES, SEED));
    try (PostgresStateStore store = store(Layout.CONVERSATION_STATES, SEED)) {
      for (int c = 0; c < 7; c++) {
        String owner = c % 3 == 0 ? null : "tenant_" + c % 2;
        String previous = null;
        for (int t = 1; t <= 6 + c; t++) {
          String id = "resp_c" + c + "_t" + t;
          record(store, id, previous, owner, t);
          previous = id;
        }
        record(store, "resp_c" + c + "_fork", "resp_c" + c + "_t2", owner, 99);
      }
      store.delete(null, "resp_c0_t3");
      record(store, "resp_plano_child", null, null, 1);
    }
    db.execute("DELETE FROM " + SEED + " WHERE response_id = 'resp_c1_t2'",
        "INSERT INTO " + SEED + " (response_id, input_items, created_at, model, provider, updated_at) VALUES"
            + " ('resp_plano', '[{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"hello\"}]',"
            + " 1700000000, 'gpt-4o', 'openai', '2026-01-01 00:00:00'),"
            + " ('resp_plano_no_time', '[{\"role\": \"user\", \"content\": \"x\"}]', 1700000001, 'claude', 'anthropic', NULL)");
    int gone = ids.indexOf("resp_c1_t2");
    ids.remove(gone);
    owners.remove(gone);
    ids.add("resp_plano");
    owners.add(null);
    ids.add("resp_plano_no_time");
    owners.add(null);
  }

  private PostgresAdmin.CopyReport copy(int batchSize) {
    try (PostgresAdmin admin = PostgresAdmin.connect(StoreConfig.of(options(Layout.TURNS, TURNS)))) {
      return admin.copyToTurns(SEED, TURNS, batchSize, (phase, rows) -> { });
    }
  }

  @Nested
  @DisplayName("a first run")
  class FirstRun {

    @Test
    @DisplayName("copies every row, counts what it did, and verifies every row")
    void reports() {
      PostgresAdmin.CopyReport report = copy(4);
      assertThat(report.seedRows()).isEqualTo(ids.size());
      assertThat(report.rowsAsOneTurn()).isEqualTo(2);
      assertThat(report.rowsWithTurns()).isEqualTo(ids.size() - 2);
      assertThat(report.turnsInserted()).as("one turn per id, plus the row that was gone").isEqualTo(ids.size() + 1);
      assertThat(report.problems()).isEmpty();
      assertThat(report.verified()).isTrue();
    }

    @Test
    @DisplayName("every response reads the same in both layouts: turns, items as stored, item ids, metadata and times")
    void sameHistories() {
      copy(3);
      try (PostgresStateStore seed = store(Layout.CONVERSATION_STATES, SEED);
          PostgresStateStore turns = store(Layout.TURNS, TURNS)) {
        for (int i = 0; i < ids.size(); i++) {
          String id = ids.get(i);
          String owner = owners.get(i);
          Optional<History> expected = seed.history(owner, id);
          Optional<History> actual = turns.history(owner, id);
          assertThat(actual.isPresent()).as("readable %s", id).isEqualTo(expected.isPresent());
          if (expected.isEmpty()) {
            continue;
          }
          List<Turn> want = expected.get().turns();
          List<Turn> got = actual.get().turns();
          assertThat(got).as("turns of %s", id).hasSameSizeAs(want);
          for (int t = 0; t < want.size(); t++) {
            assertSameTurn(want.get(t), got.get(t), id);
          }
          assertThat(ids(turns.inputItems(owner, id, ItemQuery.of(null, null, 100, ItemQuery.Order.ASC)).orElseThrow()))
              .isEqualTo(ids(seed.inputItems(owner, id, ItemQuery.of(null, null, 100, ItemQuery.Order.ASC)).orElseThrow()));
        }
        assertThat(turns.history(null, "resp_c0_t3")).as("deleted stays deleted").isEmpty();
        assertThat(turns.history(null, "resp_c0_t4").orElseThrow().responseIds()).contains("resp_c0_t3");
        assertThat(turns.history("tenant_1", "resp_c1_t2")).as("a row gone stays gone").isEmpty();
        assertThat(turns.history("tenant_1", "resp_c1_t3").orElseThrow().responseIds()).contains("resp_c1_t2");
        assertThat(turns.history(null, "resp_c1_t3")).as("another owner's").isEmpty();
      }
    }

    @Test
    @DisplayName("copied conversations keep their activity: cleanup and continuing work on the copy")
    void activity() {
      copy(50);
      try (PostgresStateStore turns = store(Layout.TURNS, TURNS)) {
        Turn next = turns.record(turn("resp_after_copy", "resp_c2_t8", "tenant_0", 7));
        assertThat(next.conversationCreatedAt()).isEqualTo(1_700_000_001L);
        assertThat(turns.history("tenant_0", "resp_after_copy").orElseThrow().size()).isEqualTo(9);
        clock.advance(Duration.ofDays(1));
        turns.record(turn("resp_keep", "resp_c3_fork", null, 7));
        long before = TestDatabase.get().count("SELECT count(*) FROM " + TURNS);
        long conversation3 = TestDatabase.get().count("SELECT count(*) FROM " + TURNS + " WHERE conversation_id = 'resp_c3_t1'");
        // resp_plano_no_time had no updated_at: the copy made its activity the real time of the copy, after the cutoff.
        assertThat(turns.deleteInactiveBefore(clock.instant().minusSeconds(1))).isEqualTo(before - conversation3 - 1);
        assertThat(turns.history(null, "resp_keep").orElseThrow().responseIds())
            .containsExactly("resp_c3_t1", "resp_c3_t2", "resp_c3_fork", "resp_keep");
      }
    }
  }

  @Nested
  @DisplayName("running again")
  class Again {

    @Test
    @DisplayName("writes nothing after a complete run, and still verifies")
    void idempotent() {
      long inserted = copy(5).turnsInserted();
      PostgresAdmin.CopyReport again = copy(7);
      assertThat(again.turnsInserted()).isZero();
      assertThat(again.turnsAlreadyThere()).isPositive();
      assertThat(again.verified()).isTrue();
      assertThat(TestDatabase.get().count("SELECT count(*) FROM " + TURNS)).isEqualTo(inserted);
    }

    @Test
    @DisplayName("after a run that stopped part way, puts back exactly what is missing")
    void resumes() {
      long inserted = copy(5).turnsInserted();
      TestDatabase.get().execute("DELETE FROM " + TURNS + " WHERE response_id > 'resp_c4'");
      PostgresAdmin.CopyReport again = copy(5);
      assertThat(again.verified()).isTrue();
      assertThat(TestDatabase.get().count("SELECT count(*) FROM " + TURNS)).isEqualTo(inserted);
    }

    @Test
    @DisplayName("reports a response whose copied items differ, naming it")
    void findsDifferences() {
      copy(5);
      TestDatabase.get().execute("UPDATE " + TURNS + " SET input_items = '[{\"changed\": true}]' WHERE response_id = 'resp_c5_t2'");
      PostgresAdmin.CopyReport again = copy(5);
      assertThat(again.verified()).isFalse();
      assertThat(again.rowsDifferent()).as("resp_c5_t2 and its descendants").isEqualTo(11);
      assertThat(again.problems()).contains("resp_c5_t2 (different)");
    }
  }

  @Nested
  @DisplayName("refusals")
  class Refusals {

    @Test
    @DisplayName("a source that is not a conversation_states table, or a target that is not a turns table, is refused by name")
    void wrongTables() {
      TestDatabase.get().execute(Schema.createScript(Layout.TURNS, TURNS));
      try (PostgresAdmin admin = PostgresAdmin.connect(StoreConfig.of(options(Layout.TURNS, TURNS)))) {
        assertThatThrownBy(() -> admin.copyToTurns(TURNS, "copy_test.other", 10, (phase, rows) -> { }))
            .isInstanceOf(ConfigurationException.class).hasMessageContaining("not a conversation_states-layout table");
        assertThatThrownBy(() -> admin.copyToTurns(SEED, SEED, 10, (phase, rows) -> { }))
            .isInstanceOf(ConfigurationException.class).hasMessageContaining("not a turns-layout table");
        assertThatThrownBy(() -> admin.copyToTurns("copy_test.absent", TURNS, 10, (phase, rows) -> { }))
            .isInstanceOf(ConfigurationException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> admin.copyToTurns(SEED, TURNS, 0, (phase, rows) -> { }))
            .isInstanceOf(ConfigurationException.class).hasMessageContaining("batch size");
      }
    }
  }

  /** Equal turns, but for a recording time the seed row did not have (the copy sets one). */
  private static void assertSameTurn(Turn want, Turn got, String id) {
    assertThat(got.sameRecordAs(want)).as("%s in the history of %s: %s, not %s", want.responseId(), id, got, want).isTrue();
    assertThat(got.input().toJson()).isEqualTo(want.input().toJson());
    assertThat(got.output().toJson()).isEqualTo(want.output().toJson());
    assertThat(got.conversationCreatedAt()).isEqualTo(want.conversationCreatedAt());
    if (want.recordedAt().isPresent()) {
      assertThat(got.recordedAt()).as("recorded_at of %s", want.responseId()).isEqualTo(want.recordedAt());
    }
  }

  private static List<String> ids(ItemPage page) {
    List<String> ids = new ArrayList<>();
    for (ItemPage.Item item : page.data()) {
      ids.add(item.id() + " " + item.json());
    }
    return ids;
  }
}
