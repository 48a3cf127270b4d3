package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.History;
import io.convstate.InputItems;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.conformance.TestClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The turn layout's equivalents of the seed's operator SQL, as the README gives them: the
 * conversation_states-shaped view and the 7-day cleanup.
 */
@DisplayName("The turn layout's equivalents of the seed's verification query and 7-day cleanup")
class SeedEquivalentsTest {

  /** The README's 7-day cleanup for the turn layout. */
  static final String CLEANUP_7_DAYS = String.join("\n",
      "WITH gone AS (",
      "  DELETE FROM equivalents.conversation_turns_conversations",
      "  WHERE last_activity < (NOW() AT TIME ZONE 'UTC') - INTERVAL '7 days'",
      "  RETURNING conversation_id)",
      "DELETE FROM equivalents.conversation_turns WHERE conversation_id IN (SELECT conversation_id FROM gone)");

  private static final String TABLE = "equivalents.conversation_turns";

  private final TestClock clock = new TestClock();

  @BeforeEach
  void table() {
    TestDatabase.get().freshTable("equivalents");
  }

  private PostgresStateStore store() {
    return new PostgresStateStore(StoreConfig.of(TestDatabase.get().options(TABLE)), clock);
  }

  private static Turn turn(String id, String previous, int n) {
    return Turn.builder(id).previousResponseId(previous)
        .input(InputItems.parse("[{\"role\":\"user\",\"content\":\"q" + n + "\"},{\"type\":\"function_call_output\",\"call_id\":\"c\",\"output\":\"" + n + "\"}]"))
        .output(n % 2 == 0 ? InputItems.empty() : InputItems.parse("[{\"role\":\"assistant\",\"content\":\"a" + n + "\"}]"))
        .model("gpt-4o").provider("openai").createdAt(1_700_000_000L + n).build();
  }

  @Test
  @DisplayName("the view holds one row per readable response, its input_items the whole history as the seed's row would")
  void view() throws Exception {
    try (PostgresStateStore store = store()) {
      String previous = null;
      for (int n = 1; n <= 30; n++) {
        store.record(turn("resp_" + n, previous, n));
        previous = "resp_" + n;
      }
      store.record(turn("resp_fork", "resp_10", 99));
      store.delete(null, "resp_5");
      try (Connection connection = TestDatabase.get().admin();
          PreparedStatement statement = connection.prepareStatement("SELECT input_items = ?::jsonb, created_at, model, provider, updated_at"
              + " FROM equivalents.conversation_turns_states WHERE response_id = ?")) {
        for (String id : new String[] {"resp_1", "resp_2", "resp_10", "resp_30", "resp_fork"}) {
          History history = store.history(null, id).orElseThrow();
          statement.setString(1, history.items().toJson());
          statement.setString(2, id);
          try (ResultSet row = statement.executeQuery()) {
            assertThat(row.next()).as("row of %s", id).isTrue();
            assertThat(row.getBoolean(1)).as("input_items of %s", id).isTrue();
            assertThat(row.getLong(2)).isEqualTo(1_700_000_001L);
            assertThat(row.getString(3)).isEqualTo("gpt-4o");
            assertThat(row.getString(4)).isEqualTo("openai");
          }
        }
      }
      assertThat(TestDatabase.get().count("SELECT count(*) FROM equivalents.conversation_turns_states")).isEqualTo(30);
      assertThat(TestDatabase.get().count("SELECT count(*) FROM equivalents.conversation_turns_states WHERE response_id = 'resp_5'")).isZero();
    }
  }

  @Test
  @DisplayName("the README's 7-day cleanup removes whole inactive conversations and keeps the ones continued since")
  void cleanup() {
    Instant now = Instant.now();
    try (PostgresStateStore store = store()) {
      clock.set(now.minus(Duration.ofDays(10)));
      store.record(turn("resp_old_1", null, 1));
      store.record(turn("resp_old_2", "resp_old_1", 2));
      store.record(turn("resp_kept_1", null, 1));
      clock.set(now.minus(Duration.ofDays(1)));
      store.record(turn("resp_kept_2", "resp_kept_1", 2));
      TestDatabase.get().execute(CLEANUP_7_DAYS);
      assertThat(store.history(null, "resp_old_2")).isEmpty();
      assertThat(store.turn(null, "resp_old_1")).isEmpty();
      assertThat(store.history(null, "resp_kept_2").orElseThrow().size()).isEqualTo(2);
      assertThat(TestDatabase.get().count("SELECT count(*) FROM " + TABLE)).isEqualTo(2);
    }
  }
}
