package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.InputItems;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.conformance.TestClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("The operator's admin on either layout")
class PostgresAdminTest {

  private static String schema(Layout layout) {
    return "admin_" + layout.optionValue();
  }

  private static String table(Layout layout) {
    return schema(layout) + "." + layout.defaultTable();
  }

  private static Map<String, String> options(Layout layout) {
    return TestDatabase.get().options(table(layout), "layout", layout.optionValue());
  }

  private static PostgresAdmin admin(Layout layout) {
    return PostgresAdmin.connect(StoreConfig.of(options(layout)));
  }

  private static void emptySchema(Layout layout) {
    TestDatabase.get().execute("DROP SCHEMA IF EXISTS " + schema(layout) + " CASCADE", "CREATE SCHEMA " + schema(layout));
  }

  private static List<String> problems(PostgresAdmin admin) {
    return admin.verify().stream().map(PostgresAdmin.Finding::toString).toList();
  }

  private static Turn turn(String id, String previous) {
    return Turn.builder(id).previousResponseId(previous)
        .input(InputItems.parse("[{\"role\":\"user\",\"content\":\"" + id + "\"}]"))
        .output(InputItems.parse("[{\"role\":\"assistant\",\"content\":\"ok\"}]"))
        .model(id.equals("resp_kept_2") ? "o3" : "gpt-4o").provider("openai").createdAt(1_700_000_000L).build();
  }

  @Nested
  @DisplayName("migrate and verify")
  class MigrateAndVerify {

    @ParameterizedTest(name = "layout {0}")
    @EnumSource(Layout.class)
    @DisplayName("migrate creates the layout's tables once, and verify then finds nothing")
    void createsThenVerifies(Layout layout) {
      emptySchema(layout);
      try (PostgresAdmin admin = admin(layout)) {
        assertThat(problems(admin)).hasSize(layout == Layout.TURNS ? 2 : 1)
            .allSatisfy(p -> assertThat(p).contains("does not exist").contains("convstate migrate"));
        assertThat(admin.migrate()).as("created").isTrue();
        assertThat(admin.migrate()).as("created again").isFalse();
        assertThat(problems(admin)).isEmpty();
        assertThat(admin.description()).contains(table(layout)).contains("layout " + layout.optionValue());
      }
    }

    @ParameterizedTest(name = "layout {0}")
    @EnumSource(Layout.class)
    @DisplayName("verify names a missing index, a column that allows NULL and pglz compression, each with its fix, and migrate repairs what it can")
    void findsProblems(Layout layout) {
      emptySchema(layout);
      String table = table(layout);
      TestDatabase.get().execute(Schema.createScript(layout, table),
          "DROP INDEX " + schema(layout) + ".idx_" + layout.defaultTable() + (layout == Layout.TURNS ? "_conversation_id" : "_updated_at"),
          "ALTER TABLE " + table + " ALTER COLUMN model DROP NOT NULL",
          "ALTER TABLE " + table + " ALTER COLUMN input_items SET COMPRESSION pglz");
      try (PostgresAdmin admin = admin(layout)) {
        List<String> problems = problems(admin);
        assertThat(problems).hasSize(3);
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("No index on").contains("CREATE INDEX"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("'model'").contains("allows NULL").contains("SET NOT NULL"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("input_items").contains("pglz").contains("SET COMPRESSION lz4"));
        admin.migrate();
        assertThat(problems(admin)).singleElement().asString().contains("allows NULL");
      }
    }

    @ParameterizedTest(name = "layout {0}")
    @EnumSource(Layout.class)
    @DisplayName("verify on a table of the other layout says which layout option to set")
    void otherLayout(Layout layout) {
      Layout other = layout == Layout.TURNS ? Layout.CONVERSATION_STATES : Layout.TURNS;
      emptySchema(layout);
      TestDatabase.get().execute(Schema.createScript(other, table(layout)));
      try (PostgresAdmin admin = admin(layout)) {
        assertThat(problems(admin)).singleElement().asString().contains("layout=" + other.optionValue());
      }
    }

    @ParameterizedTest(name = "layout {0}")
    @EnumSource(Layout.class)
    @DisplayName("verify names the privileges a role lacks, with the GRANT")
    void privileges(Layout layout) {
      emptySchema(layout);
      TestDatabase db = TestDatabase.get();
      db.execute(Schema.createScript(layout, table(layout)),
          "DROP ROLE IF EXISTS convstate_admin_reader", "CREATE ROLE convstate_admin_reader LOGIN PASSWORD 'reader'",
          "GRANT USAGE ON SCHEMA " + schema(layout) + " TO convstate_admin_reader",
          "GRANT SELECT ON ALL TABLES IN SCHEMA " + schema(layout) + " TO convstate_admin_reader");
      Map<String, String> options = options(layout);
      options.put("connection_string", db.urlAs("convstate_admin_reader", "reader"));
      try (PostgresAdmin admin = PostgresAdmin.connect(StoreConfig.of(options))) {
        List<String> problems = problems(admin);
        assertThat(problems).hasSize(layout == Layout.TURNS ? 2 : 1);
        assertThat(problems).allSatisfy(p -> assertThat(p).contains("lacks INSERT, UPDATE, DELETE").contains("GRANT SELECT, INSERT, UPDATE, DELETE ON"));
      } finally {
        db.execute("DROP OWNED BY convstate_admin_reader", "DROP ROLE convstate_admin_reader");
      }
    }
  }

  @Nested
  @DisplayName("counting and summarising")
  class Counting {

    @ParameterizedTest(name = "layout {0}")
    @EnumSource(Layout.class)
    @DisplayName("countInactiveBefore counts the turns a cleanup would remove, and cleanup then removes exactly those")
    void countsWhatCleanupRemoves(Layout layout) {
      emptySchema(layout);
      TestClock clock = new TestClock();
      try (PostgresAdmin admin = admin(layout)) {
        admin.migrate();
        try (PostgresStateStore store = new PostgresStateStore(StoreConfig.of(options(layout)), clock)) {
          store.record(turn("resp_old_1", null));
          store.record(turn("resp_old_2", "resp_old_1"));
          store.record(turn("resp_kept_1", null));
          clock.advance(Duration.ofDays(8));
          store.record(turn("resp_kept_2", "resp_kept_1"));
          store.delete(null, "resp_old_1");
          assertThat(admin.countInactiveBefore(clock.instant().minus(Duration.ofDays(7)))).isEqualTo(2);
          assertThat(admin.countInactiveBefore(clock.instant().plusMillis(1))).isEqualTo(4);

          PostgresAdmin.Summary summary = admin.summary();
          assertThat(summary.turns).isEqualTo(4);
          assertThat(summary.deleted).isEqualTo(1);
          assertThat(summary.conversations).isEqualTo(2);
          assertThat(summary.itemsBytes).isPositive();
          assertThat(summary.tableBytes).isGreaterThan(summary.itemsBytes);
          assertThat(summary.oldest).isEqualTo(TestClock.START);
          assertThat(summary.newest).isEqualTo(clock.instant());
          assertThat(summary.byModel).containsExactly(Map.entry("gpt-4o", 3L), Map.entry("o3", 1L));
          assertThat(summary.byProvider).containsExactly(Map.entry("openai", 4L));

          assertThat(store.deleteInactiveBefore(clock.instant().minus(Duration.ofDays(7)))).isEqualTo(2);
          assertThat(admin.countInactiveBefore(clock.instant().minus(Duration.ofDays(7)))).isZero();
        }
      }
    }
  }
}
