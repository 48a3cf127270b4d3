package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.ConfigurationException;
import io.convstate.StateStore;
import io.convstate.StateStores;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import io.convstate.InputItems;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.conformance.TestClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
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

  /** The SQL of a finding's fix: its statements (after "or " when it offers convstate migrate first), up to the last ';'. */
  private static String fixSql(PostgresAdmin.Finding finding) {
    String fix = finding.fix();
    int statementStart = fix.startsWith("convstate migrate") ? fix.indexOf(", or ") + 5 : 0;
    return fix.substring(statementStart, fix.lastIndexOf(';') + 1);
  }

  /** Runs SQL as the superuser in a session whose time zone is not UTC, as an operator's psql may be. */
  private static void runInTokyo(String sql) throws Exception {
    try (Connection connection = TestDatabase.get().admin(); Statement statement = connection.createStatement()) {
      statement.execute("SET TimeZone = 'Asia/Tokyo'");
      statement.execute(sql);
    }
  }

  private static String value(String sql) throws Exception {
    try (Connection connection = TestDatabase.get().admin(); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getString(1);
    }
  }

  private static PostgresAdmin.Finding only(PostgresAdmin admin) {
    List<PostgresAdmin.Finding> findings = admin.verify();
    assertThat(findings).hasSize(1);
    return findings.get(0);
  }

  @Nested
  @DisplayName("verify's fixes, run as printed, repair the table and keep its rows")
  class Fixes {

    private static final String SEED = "admin_conversation_states.conversation_states";
    private static final String TURNS = "admin_turns.conversation_turns";

    private void seedRow() {
      seedRow("1700000000");
    }

    private void seedRow(String createdAt) {
      TestDatabase.get().execute("SET TimeZone = 'UTC'; INSERT INTO " + SEED + " (response_id, input_items, created_at, model, provider, updated_at)"
          + " VALUES ('resp_1', '[]', " + createdAt + ", 'gpt-4o', 'openai', '2024-01-02 03:04:05')");
    }

    @Test
    @DisplayName("a created_at of type timestamp becomes bigint epoch seconds")
    void createdAtTimestamp() throws Exception {
      emptySchema(Layout.CONVERSATION_STATES);
      TestDatabase.get().execute(Schema.createScript(Layout.CONVERSATION_STATES, SEED),
          "ALTER TABLE " + SEED + " ALTER COLUMN created_at TYPE timestamp USING to_timestamp(created_at) AT TIME ZONE 'UTC'");
      seedRow("'2023-11-14 22:13:20'");
      try (PostgresAdmin admin = admin(Layout.CONVERSATION_STATES)) {
        PostgresAdmin.Finding finding = only(admin);
        assertThat(finding.kind()).isEqualTo(PostgresAdmin.Finding.Kind.COLUMN_TYPE);
        runInTokyo(fixSql(finding));
        assertThat(admin.verify()).isEmpty();
      }
      assertThat(value("SELECT created_at FROM " + SEED)).isEqualTo("1700000000");
    }

    @Test
    @DisplayName("an updated_at of type timestamptz becomes UTC wall-clock time, not shifted by the session's zone")
    void updatedAtTimestamptz() throws Exception {
      emptySchema(Layout.CONVERSATION_STATES);
      TestDatabase.get().execute(Schema.createScript(Layout.CONVERSATION_STATES, SEED),
          "SET TimeZone = 'UTC'; ALTER TABLE " + SEED + " ALTER COLUMN updated_at TYPE timestamptz");
      seedRow();
      try (PostgresAdmin admin = admin(Layout.CONVERSATION_STATES)) {
        PostgresAdmin.Finding finding = only(admin);
        assertThat(fixSql(finding)).contains("AT TIME ZONE 'UTC'");
        runInTokyo(fixSql(finding));
        assertThat(admin.verify()).isEmpty();
      }
      assertThat(value("SELECT updated_at::text FROM " + SEED)).isEqualTo("2024-01-02 03:04:05");
    }

    @Test
    @DisplayName("a recorded_at of type timestamptz becomes UTC wall-clock time, and the turn still reads")
    void recordedAtTimestamptz() throws Exception {
      emptySchema(Layout.TURNS);
      TestDatabase.get().execute(Schema.createScript(Layout.TURNS, TURNS));
      try (StateStore store = StateStores.open(StoreConfig.of(options(Layout.TURNS)))) {
        store.record(turn("resp_1", null));
      }
      String before = value("SELECT recorded_at::text FROM " + TURNS);
      TestDatabase.get().execute("DROP VIEW admin_turns.conversation_turns_states",
          "ALTER TABLE " + TURNS + " ALTER COLUMN recorded_at TYPE timestamptz USING recorded_at AT TIME ZONE 'UTC'",
          Schema.createScript(Layout.TURNS, TURNS));
      try (PostgresAdmin admin = admin(Layout.TURNS)) {
        runInTokyo(fixSql(only(admin)));
        assertThat(admin.verify()).singleElement().asString().contains("view");
        assertThat(admin.migrate()).isFalse();
        assertThat(admin.verify()).isEmpty();
      }
      assertThat(value("SELECT recorded_at::text FROM " + TURNS)).isEqualTo(before);
      try (StateStore store = StateStores.open(StoreConfig.of(options(Layout.TURNS)))) {
        assertThat(store.history(null, "resp_1")).isPresent();
      }
    }

    @Test
    @DisplayName("a missing index is created by its CREATE INDEX")
    void missingIndex() throws Exception {
      emptySchema(Layout.CONVERSATION_STATES);
      TestDatabase.get().execute(Schema.createScript(Layout.CONVERSATION_STATES, SEED),
          "DROP INDEX admin_conversation_states.idx_conversation_states_created_at");
      seedRow();
      try (PostgresAdmin admin = admin(Layout.CONVERSATION_STATES)) {
        runInTokyo(fixSql(only(admin)));
        assertThat(admin.verify()).isEmpty();
      }
      assertThat(TestDatabase.get().count("SELECT count(*) FROM " + SEED)).isEqualTo(1);
    }

    @Test
    @DisplayName("a missing column is added by its ALTER TABLE, with the shipped default, on a table with rows")
    void missingColumn() throws Exception {
      emptySchema(Layout.CONVERSATION_STATES);
      TestDatabase.get().execute(Schema.createScript(Layout.CONVERSATION_STATES, SEED), "ALTER TABLE " + SEED + " DROP COLUMN deleted");
      seedRow();
      try (PostgresAdmin admin = admin(Layout.CONVERSATION_STATES)) {
        PostgresAdmin.Finding finding = only(admin);
        assertThat(finding.kind()).isEqualTo(PostgresAdmin.Finding.Kind.MISSING_COLUMN);
        runInTokyo(fixSql(finding));
        assertThat(admin.verify()).isEmpty();
      }
      assertThat(value("SELECT deleted FROM " + SEED)).isEqualTo("f");
    }

    @Test
    @DisplayName("migrate leaves a wrong type alone and wrongTypes names it")
    void migrateNamesWrongTypes() {
      emptySchema(Layout.CONVERSATION_STATES);
      TestDatabase.get().execute(Schema.createScript(Layout.CONVERSATION_STATES, SEED),
          "ALTER TABLE " + SEED + " ALTER COLUMN updated_at TYPE timestamptz");
      try (PostgresAdmin admin = admin(Layout.CONVERSATION_STATES)) {
        assertThat(admin.migrate()).isFalse();
        assertThat(admin.wrongTypes()).singleElement().asString().contains("'updated_at'").contains("timestamp with time zone");
      }
    }
  }

  @Nested
  @DisplayName("roles with fewer privileges")
  class Roles {

    @ParameterizedTest(name = "layout {0}")
    @EnumSource(Layout.class)
    @DisplayName("migrate as a role without CREATE on the schema says 'already there' when the tables are complete, and names GRANT CREATE when they are missing")
    void migrateWithoutCreate(Layout layout) {
      emptySchema(layout);
      TestDatabase db = TestDatabase.get();
      db.execute(Schema.createScript(layout, table(layout)),
          "DROP ROLE IF EXISTS convstate_admin_app", "CREATE ROLE convstate_admin_app LOGIN PASSWORD 'app'",
          "GRANT USAGE ON SCHEMA " + schema(layout) + " TO convstate_admin_app",
          "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema(layout) + " TO convstate_admin_app");
      Map<String, String> options = options(layout);
      options.put("connection_string", db.urlAs("convstate_admin_app", "app"));
      try (PostgresAdmin admin = PostgresAdmin.connect(StoreConfig.of(options))) {
        assertThat(admin.migrate()).as("created").isFalse();
        assertThat(admin.verify()).isEmpty();
        db.execute("DROP TABLE " + table(layout) + " CASCADE");
        assertThatThrownBy(admin::migrate).isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("Role 'convstate_admin_app' may not create tables in schema '" + schema(layout) + "'")
            .hasMessageContaining("GRANT CREATE ON SCHEMA " + schema(layout) + " TO convstate_admin_app;")
            .hasMessageNotContaining("GRANT SELECT");
      } finally {
        db.execute("DROP OWNED BY convstate_admin_app", "DROP ROLE convstate_admin_app");
      }
    }

    @ParameterizedTest(name = "layout {0}")
    @EnumSource(Layout.class)
    @DisplayName("a role with SELECT only opens the store with access=read_only and reads; without it, the open names the option")
    void readOnlyRole(Layout layout) {
      emptySchema(layout);
      TestDatabase db = TestDatabase.get();
      db.execute(Schema.createScript(layout, table(layout)));
      try (StateStore store = StateStores.open(StoreConfig.of(options(layout)))) {
        store.record(turn("resp_read", null));
      }
      db.execute("DROP ROLE IF EXISTS convstate_admin_ro", "CREATE ROLE convstate_admin_ro LOGIN PASSWORD 'ro'",
          "GRANT USAGE ON SCHEMA " + schema(layout) + " TO convstate_admin_ro",
          "GRANT SELECT ON ALL TABLES IN SCHEMA " + schema(layout) + " TO convstate_admin_ro");
      Map<String, String> options = options(layout);
      options.put("connection_string", db.urlAs("convstate_admin_ro", "ro"));
      try {
        assertThatThrownBy(() -> StateStores.open(StoreConfig.of(options)).close())
            .isInstanceOf(ConfigurationException.class).hasMessageContaining("access=read_only");
        options.put("access", "read_only");
        try (StateStore store = StateStores.open(StoreConfig.of(options))) {
          assertThat(store.history(null, "resp_read")).isPresent();
        }
        try (PostgresAdmin admin = PostgresAdmin.connect(StoreConfig.of(options))) {
          assertThat(admin.summary().turns).isEqualTo(1);
        }
      } finally {
        db.execute("DROP OWNED BY convstate_admin_ro", "DROP ROLE convstate_admin_ro");
      }
    }
  }
}
