package io.convstate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.InputItems;
import io.convstate.StateStore;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.postgres.PostgresStateStore;
import io.convstate.postgres.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The convstate command")
class CliTest {

  /** One run's exit code and output. */
  record Run(int exit, String out, String err) {
    String all() {
      return out + err;
    }
  }

  static Run run(Map<String, String> environment, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true), environment);
    return new Run(exit, out.toString(), err.toString());
  }

  private static Run run(String... args) {
    return run(Map.of(), args);
  }

  private static TestDatabase db;
  private static Map<String, String> postgres;

  @BeforeAll
  static void database() {
    db = TestDatabase.get();
    db.execute("DROP SCHEMA IF EXISTS cli CASCADE", "CREATE SCHEMA cli");
    postgres = Map.of("DATABASE_URL", db.url());
  }

  private static long count(String sql) throws Exception {
    try (Connection connection = TestDatabase.get().admin(); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(sql)) {
      row.next();
      return row.getLong(1);
    }
  }

  /** A store on a migrated table whose clock reads {@code ago} before now. */
  private static StateStore storeAt(String table, String layout, Duration ago) {
    assertThat(run(postgres, "migrate", "--table", table, "--layout", layout).exit()).isZero();
    Map<String, String> options = db.options(table, "layout", layout);
    return new PostgresStateStore(StoreConfig.of(options, Map.of()), Clock.offset(Clock.systemUTC(), ago.negated()));
  }

  static Turn turn(String id, String previous, String owner, String input) {
    return Turn.builder(id).previousResponseId(previous).owner(owner)
        .input(InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\""
            + input + "\"}]}]"))
        .output(InputItems.parse("[{\"type\":\"message\",\"role\":\"assistant\",\"n\":12345678901234567890}]"))
        .model("gpt-4o").provider("openai").createdAt(1_700_000_000L).build();
  }

  @Nested
  @DisplayName("demo")
  class Demo {

    private void assertConversation(Run run) {
      assertThat(run.exit()).as(run.all()).isZero();
      Matcher id = Pattern.compile("resp_demo_\\w+?_").matcher(run.out());
      assertThat(id.find()).as("a response id").isTrue();
      String prefix = id.group();
      assertThat(run.out())
          .contains("history rebuilt:  8 items sent upstream")
          .contains("recorded:         " + prefix + "4 -> this turn only: 1 input + 1 output items")
          .contains("Your name is Alice, and you like Python.")
          .contains("== GET /v1/responses/" + prefix + "2   (store.turn)")
          .contains("response " + prefix + "2, continues " + prefix + "1, model demo-model (demo-provider)")
          .contains("page 1: msg_").contains("page 3: msg_").doesNotContain("page 4")
          .contains("tenant_other asks for " + prefix + "4\nturn: not found, input items: not found")
          .contains("deleted: true; GET it now: not found")
          .contains("history of " + prefix + "4, which continues it: 4 turns, 9 items, still whole")
          .contains("continuing " + prefix + "3: HTTP 400 previous_response_not_found")
          .contains("HTTP 400 {\"error\":{\"message\":\"Previous response with id 'resp_missing_")
          .contains("\"code\":\"previous_response_not_found\"");
    }

    @Test
    @DisplayName("records a four-turn conversation on the embedded memory store, then retrieves, lists, isolates and deletes")
    void onMemory() {
      Run run = run("demo");
      assertThat(run.out()).as("the first line says so")
          .startsWith("No store configured: using the embedded memory store (empty at start, lost at exit). Choose another")
          .contains("convstate demo on MemoryStateStore");
      assertConversation(run);
    }

    @Test
    @DisplayName("runs on PostgreSQL's turn layout when DATABASE_URL is set, one row per turn")
    void onPostgresTurns() throws Exception {
      run(postgres, "migrate", "--table", "cli.demo");
      Run run = run(postgres, "demo", "--table", "cli.demo");
      assertThat(run.out()).contains("PostgresStateStore").contains("layout turns");
      assertConversation(run);
      assertThat(count("SELECT count(*) FROM cli.demo")).isEqualTo(4);
      assertThat(count("SELECT count(*) FROM cli.demo WHERE deleted")).isEqualTo(1);
      assertThat(count("SELECT max(jsonb_array_length(input_items) + jsonb_array_length(output_items)) FROM cli.demo"))
          .as("no row holds more than its own turn").isEqualTo(3);
    }

    @Test
    @DisplayName("runs on PostgreSQL's seed layout (conversation_states) too")
    void onPostgresSeed() throws Exception {
      run(postgres, "migrate", "--table", "cli.demo_seed", "--layout", "conversation_states");
      Run run = run(postgres, "demo", "--table", "cli.demo_seed", "--layout", "conversation_states");
      assertThat(run.out()).contains("layout conversation_states");
      assertConversation(run);
      assertThat(count("SELECT max(jsonb_array_length(input_items)) FROM cli.demo_seed")).as("whole histories").isEqualTo(9);
    }
  }

  @Nested
  @DisplayName("schema and migrate")
  class SchemaAndMigrate {

    @Test
    @DisplayName("schema prints the DDL of either layout, or its drop script, without connecting")
    void schema() {
      assertThat(run("schema").out()).contains("CREATE TABLE IF NOT EXISTS conversation_turns (")
          .contains("CREATE TABLE IF NOT EXISTS conversation_turns_conversations (");
      assertThat(run("schema", "--layout", "conversation_states").out())
          .contains("CREATE TABLE IF NOT EXISTS conversation_states (").contains("idx_conversation_states_updated_at");
      assertThat(run("schema", "--layout", "conversation_states", "--table", "app.states").out())
          .contains("CREATE TABLE IF NOT EXISTS \"app\".\"states\"").contains("idx_states_provider ON \"app\".\"states\"");
      assertThat(run("schema", "--drop").out()).contains("DROP TABLE IF EXISTS conversation_turns");
      assertThat(run("schema", "--table", "x;drop").exit()).isEqualTo(Main.USAGE);
      Run badLayout = run("schema", "--layout", "rows");
      assertThat(badLayout.exit()).isEqualTo(Main.USAGE);
      assertThat(badLayout.err()).contains("expected turns or conversation_states");
    }

    @Test
    @DisplayName("migrate creates the turn layout by default, says so, and running it again is fine")
    void migrateTurns() {
      Run first = run(postgres, "migrate", "--table", "cli.migrated");
      assertThat(first.exit()).as(first.all()).isZero();
      assertThat(first.out()).as("says what it created: tables, not a database")
          .startsWith("Created the layout's tables and indexes (they were missing) for ").contains("table cli.migrated (layout turns)");
      Run second = run(postgres, "migrate", "--table", "cli.migrated");
      assertThat(second.exit()).isZero();
      assertThat(second.out()).startsWith("Already there");
      assertThat(run(postgres, "verify", "--table", "cli.migrated").exit()).isZero();
    }

    @Test
    @DisplayName("migrate --layout conversation_states creates the seed's table, and completes one made by another tool")
    void migrateSeed() throws Exception {
      Run created = run(postgres, "migrate", "--table", "cli.seed_made", "--layout", "conversation_states");
      assertThat(created.exit()).as(created.all()).isZero();
      assertThat(created.out()).startsWith("Created ").contains("layout conversation_states");
      assertThat(run(postgres, "verify", "--table", "cli.seed_made", "--layout", "conversation_states").exit()).isZero();

      db.execute("CREATE TABLE cli.seed_old (response_id TEXT PRIMARY KEY, input_items JSONB NOT NULL,"
          + " created_at BIGINT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)");
      assertThat(run(postgres, "verify", "--table", "cli.seed_old", "--layout", "conversation_states").exit())
          .isEqualTo(Main.CHECK_FAILED);
      Run completed = run(postgres, "migrate", "--table", "cli.seed_old", "--layout", "conversation_states");
      assertThat(completed.out()).startsWith("Already there, completed");
      assertThat(count("SELECT count(*) FROM information_schema.columns WHERE table_schema = 'cli'"
          + " AND table_name = 'seed_old' AND column_name IN ('owner', 'deleted')")).isEqualTo(2);
      assertThat(run(postgres, "verify", "--table", "cli.seed_old", "--layout", "conversation_states").exit()).isZero();
    }

    @Test
    @DisplayName("migrate as a role without CREATE on the schema says 'Already there' for complete tables, and names GRANT CREATE for missing ones")
    void migrateWithoutCreate() {
      run(postgres, "migrate", "--table", "cli.no_create");
      db.execute("DROP ROLE IF EXISTS cli_app", "CREATE ROLE cli_app LOGIN PASSWORD 'app'", "GRANT USAGE ON SCHEMA cli TO cli_app",
          "GRANT SELECT, INSERT, UPDATE, DELETE ON cli.no_create, cli.no_create_conversations TO cli_app");
      try {
        Map<String, String> app = Map.of("DATABASE_URL", db.urlAs("cli_app", "app"));
        Run there = run(app, "migrate", "--table", "cli.no_create");
        assertThat(there.exit()).as(there.all()).isZero();
        assertThat(there.out()).startsWith("Already there");
        Run missing = run(app, "migrate", "--table", "cli.no_create_new");
        assertThat(missing.exit()).isEqualTo(Main.USAGE);
        assertThat(missing.err()).contains("Role 'cli_app' may not create tables in schema 'cli'")
            .contains("GRANT CREATE ON SCHEMA cli TO cli_app;").doesNotContain("GRANT SELECT");
      } finally {
        db.execute("DROP OWNED BY cli_app", "DROP ROLE cli_app");
      }
    }

    @Test
    @DisplayName("migrate on a table with a column of the wrong type names it and points at verify, instead of 'Already there'")
    void migrateWrongType() {
      run(postgres, "migrate", "--table", "cli.wrong_type", "--layout", "conversation_states");
      db.execute("ALTER TABLE cli.wrong_type ALTER COLUMN updated_at TYPE timestamptz");
      Run run = run(postgres, "migrate", "--table", "cli.wrong_type", "--layout", "conversation_states");
      assertThat(run.exit()).isEqualTo(Main.CHECK_FAILED);
      assertThat(run.out()).doesNotContain("Already there");
      assertThat(run.err()).contains("Column 'updated_at' of cli.wrong_type is timestamp with time zone, not timestamp without time zone.")
          .contains("Run convstate verify with the same options");
      assertThat(run(postgres, "verify", "--table", "cli.wrong_type", "--layout", "conversation_states").out())
          .contains("USING updated_at AT TIME ZONE 'UTC';");
    }
  }

  @Nested
  @DisplayName("verify")
  class Verify {

    @Test
    @DisplayName("passes on tables made by the shipped scripts")
    void passes() {
      run(postgres, "migrate", "--table", "cli.verified");
      Run run = run(postgres, "verify", "--table", "cli.verified");
      assertThat(run.exit()).as(run.all()).isZero();
      assertThat(run.out()).contains("OK: tables, columns, types, primary keys, indexes and privileges");
    }

    @Test
    @DisplayName("fails on missing tables, saying how to create them")
    void missingTable() {
      Run run = run(postgres, "verify", "--table", "cli.absent");
      assertThat(run.exit()).isEqualTo(Main.CHECK_FAILED);
      assertThat(run.out()).contains("FAIL Table 'cli.absent' does not exist.")
          .as("the commands for that very table, not the script of the default one")
          .contains("fix: convstate migrate --table cli.absent --layout turns (with the same store options);"
              + " or, for psql, its SQL: convstate schema --table cli.absent --layout turns")
          .doesNotContain("psql -f conversation_turns.sql");
    }

    @Test
    @DisplayName("fails on a seed table named as the turn layout, saying which option or command fits")
    void wrongLayout() {
      run(postgres, "migrate", "--table", "cli.seed_as_turns", "--layout", "conversation_states");
      Run run = run(postgres, "verify", "--table", "cli.seed_as_turns");
      assertThat(run.exit()).isEqualTo(Main.CHECK_FAILED);
      assertThat(run.out()).contains("has the conversation_states layout, not the turns layout")
          .contains("convstate copy-to-turns");
    }

    @Test
    @DisplayName("fails on a wrong column type and a missing index, with the SQL that fixes each")
    void wrongType() {
      run(postgres, "migrate", "--table", "cli.wrong", "--layout", "conversation_states");
      db.execute("ALTER TABLE cli.wrong ALTER COLUMN input_items TYPE text", "DROP INDEX cli.idx_wrong_updated_at");
      Run run = run(postgres, "verify", "--table", "cli.wrong", "--layout", "conversation_states");
      assertThat(run.exit()).isEqualTo(Main.CHECK_FAILED);
      assertThat(run.out())
          .contains("FAIL Column 'input_items' of cli.wrong is text, not jsonb.")
          .contains("ALTER TABLE cli.wrong ALTER COLUMN input_items TYPE jsonb USING input_items::jsonb;")
          .contains("FAIL No index on updated_at");
    }

    @Test
    @DisplayName("fails on a role without write privileges, naming the GRANT")
    void missingPrivilege() {
      run(postgres, "migrate", "--table", "cli.granted");
      db.execute("DROP ROLE IF EXISTS cli_reader", "CREATE ROLE cli_reader LOGIN PASSWORD 'Rd#1'",
          "GRANT USAGE ON SCHEMA cli TO cli_reader", "GRANT SELECT ON cli.granted TO cli_reader",
          "GRANT SELECT ON cli.granted_conversations TO cli_reader");
      Run run = run(Map.of("DATABASE_URL", db.urlAs("cli_reader", "Rd%231")), "verify", "--table", "cli.granted");
      assertThat(run.exit()).isEqualTo(Main.CHECK_FAILED);
      assertThat(run.out())
          .contains("FAIL Role 'cli_reader' lacks INSERT, UPDATE, DELETE on cli.granted.")
          .contains("GRANT SELECT, INSERT, UPDATE, DELETE ON cli.granted TO cli_reader;")
          .doesNotContain("Rd#1").doesNotContain("Rd%231");
    }

    @Test
    @DisplayName("on the memory store, migrate, copy-to-turns and cleanup --dry-run say they need a postgres table, verify and stats a backend that can be inspected")
    void onMemory() {
      for (String[] args : new String[][] {{"migrate"}, {"copy-to-turns"}, {"cleanup", "--older-than", "7d", "--dry-run"}}) {
        Run run = run(Map.of("CONVSTATE_TYPE", "memory"), args);
        assertThat(run.exit()).as(String.join(" ", args)).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("works on a postgres table, and the configured store is 'memory'");
      }
      for (String command : new String[] {"verify", "stats"}) {
        Run run = run(Map.of("CONVSTATE_TYPE", "memory"), command);
        assertThat(run.exit()).as(command).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("works on a store whose backend can be inspected (postgres, redis), and the"
            + " configured store is 'memory'");
      }
    }
  }

  @Nested
  @DisplayName("copy-to-turns")
  class CopyToTurns {

    @Test
    @DisplayName("copies a seed table into the turn layout in batches, prints progress and the verified count, and resumes")
    void copies() throws Exception {
      try (StateStore seed = storeAt("cli.copy_source", "conversation_states", Duration.ZERO)) {
        for (int c = 0; c < 30; c++) {
          String previous = null;
          for (int t = 1; t <= 3; t++) {
            String id = "resp_copy_" + c + "_" + t;
            seed.record(turn(id, previous, c % 2 == 0 ? "acme" : null, "turn " + t));
            previous = id;
          }
        }
        seed.delete(null, "resp_copy_1_2");
      }
      db.execute("INSERT INTO cli.copy_source (response_id, input_items, created_at, model, provider, updated_at)"
          + " VALUES ('resp_plano', '[{\"type\": \"message\", \"role\": \"user\", \"content\": \"hi\"}]', 42, 'gpt-4o',"
          + " 'openai', '2026-01-02 03:04:05')");

      Run copy = run(postgres, "copy-to-turns", "--from", "cli.copy_source", "--to", "cli.copy_target", "--batch-size", "20");
      assertThat(copy.exit()).as(copy.all()).isZero();
      assertThat(copy.out())
          .contains("Copied cli.copy_source into cli.copy_target: 91 seed rows (90 turn by turn, 1 as one turn each);"
              + " 91 turns inserted,")
          .contains("Verified: 91 of 91 seed rows read the same from cli.copy_target (0 missing, 0 different).");
      assertThat(copy.err()).as("progress").contains("copy: 20 seed rows...").contains("copy: 91 seed rows...")
          .contains("verify: 91 seed rows...");
      assertThat(count("SELECT count(*) FROM cli.copy_target")).isEqualTo(91);

      Run again = run(postgres, "copy-to-turns", "--from", "cli.copy_source", "--to", "cli.copy_target");
      assertThat(again.exit()).as(again.all()).isZero();
      assertThat(again.out()).contains("; 0 turns inserted,").contains("Verified: 91 of 91");

      Run read = run(postgres, "get", "resp_copy_2_3", "--owner", "acme", "--history", "--table", "cli.copy_target");
      assertThat(read.exit()).as(read.all()).isZero();
      assertThat(read.out()).contains("\"response_id\" : \"resp_copy_2_1\"").contains("\"text\" : \"turn 3\"");
      assertThat(run(postgres, "get", "resp_copy_1_2", "--table", "cli.copy_target").exit()).as("deleted stays deleted")
          .isEqualTo(Main.CHECK_FAILED);
    }

    @Test
    @DisplayName("refuses a source that is not a seed table, naming it")
    void refusesOtherTables() {
      run(postgres, "migrate", "--table", "cli.not_seed");
      Run run = run(postgres, "copy-to-turns", "--from", "cli.not_seed", "--to", "cli.copy_nowhere");
      assertThat(run.exit()).isEqualTo(Main.USAGE);
      assertThat(run.err()).contains("cli.not_seed").contains("is not a conversation_states-layout table");
    }
  }

  @Nested
  @DisplayName("cleanup")
  class Cleanup {

    @Test
    @DisplayName("removes exactly the conversations inactive for longer than the duration, counting turns, with progress")
    void removesInactive() throws Exception {
      try (StateStore old = storeAt("cli.aged", "turns", Duration.ofDays(8))) {
        for (int i = 0; i < 2_500; i++) {
          old.record(turn("old_" + i, null, null, "old"));
        }
        old.record(turn("kept_1", null, null, "first turn, long ago"));
      }
      try (StateStore recent = storeAt("cli.aged", "turns", Duration.ofDays(6))) {
        recent.record(turn("kept_2", "kept_1", null, "a recent turn keeps the whole conversation"));
        recent.record(turn("new_1", null, null, "recent"));
      }
      Run dry = run(postgres, "cleanup", "--older-than", "7d", "--dry-run", "--table", "cli.aged");
      assertThat(dry.exit()).as(dry.all()).isZero();
      assertThat(dry.out()).startsWith("Would delete 2500 turns of conversations inactive since");
      assertThat(count("SELECT count(*) FROM cli.aged")).isEqualTo(2_503);

      Run real = run(postgres, "cleanup", "--older-than", "7d", "--table", "cli.aged");
      assertThat(real.exit()).as(real.all()).isZero();
      assertThat(real.out()).startsWith("Deleted 2500 turns of conversations inactive since");
      assertThat(real.err()).as("progress, its numbers written as in the summary")
          .contains("deleted 1000 turns...").contains("deleted 2500 turns...");
      assertThat(count("SELECT count(*) FROM cli.aged WHERE response_id LIKE 'old_%'")).isZero();
      assertThat(count("SELECT count(*) FROM cli.aged")).isEqualTo(3);
    }

    @Test
    @DisplayName("works on the seed layout too")
    void seedLayout() throws Exception {
      try (StateStore old = storeAt("cli.aged_seed", "conversation_states", Duration.ofDays(8))) {
        old.record(turn("old_1", null, null, "old"));
        old.record(turn("old_2", "old_1", null, "old"));
      }
      Run real = run(postgres, "cleanup", "--older-than", "7d", "--table", "cli.aged_seed", "--layout", "conversation_states");
      assertThat(real.exit()).as(real.all()).isZero();
      assertThat(real.out()).startsWith("Deleted 2 turns");
      assertThat(count("SELECT count(*) FROM cli.aged_seed")).isZero();
    }

    @Test
    @DisplayName("takes 12h, 30d and ISO durations, and refuses others")
    void durations() {
      assertThat(run("cleanup", "--older-than", "12h", "--type", "memory").out()).startsWith("Deleted 0 turns");
      assertThat(run("cleanup", "--older-than", "PT36H", "--type", "memory").exit()).isZero();
      Run bad = run("cleanup", "--older-than", "a week", "--type", "memory");
      assertThat(bad.exit()).isEqualTo(Main.USAGE);
      assertThat(bad.err()).contains("is not a duration");
    }
  }

  @Nested
  @DisplayName("get and stats")
  class GetAndStats {

    @Test
    @DisplayName("a role with SELECT only can use get and stats")
    void readOnlyRole() {
      try (StateStore store = storeAt("cli.read_only", "turns", Duration.ZERO)) {
        store.record(turn("resp_ro", null, null, "read me"));
      }
      db.execute("DROP ROLE IF EXISTS cli_ro", "CREATE ROLE cli_ro LOGIN PASSWORD 'ro'", "GRANT USAGE ON SCHEMA cli TO cli_ro",
          "GRANT SELECT ON cli.read_only, cli.read_only_conversations TO cli_ro");
      try {
        Map<String, String> reader = Map.of("DATABASE_URL", db.urlAs("cli_ro", "ro"));
        Run get = run(reader, "get", "resp_ro", "--table", "cli.read_only");
        assertThat(get.exit()).as(get.all()).isZero();
        assertThat(get.out()).contains("\"text\" : \"read me\"");
        Run stats = run(reader, "stats", "--table", "cli.read_only");
        assertThat(stats.exit()).as(stats.all()).isZero();
        assertThat(stats.out()).contains("turns:          1");
      } finally {
        db.execute("DROP OWNED BY cli_ro", "DROP ROLE cli_ro");
      }
    }

    @Test
    @DisplayName("get prints a turn with its history's size, the whole history, or its items, for the owner that recorded it")
    void get() {
      try (StateStore store = storeAt("cli.read", "turns", Duration.ZERO)) {
        store.record(turn("resp_a", null, "acme", "first"));
        store.record(turn("resp_b", "resp_a", "acme", "second"));
        store.record(turn("resp_c", "resp_b", "acme", "third"));
      }
      Run one = run(postgres, "get", "resp_c", "--owner", "acme", "--table", "cli.read");
      assertThat(one.exit()).as(one.all()).isZero();
      assertThat(one.out()).contains("\"response_id\" : \"resp_c\"").contains("\"previous_response_id\" : \"resp_b\"")
          .contains("\"owner\" : \"acme\"").contains("\"text\" : \"third\"").doesNotContain("\"text\" : \"second\"")
          .contains("\"n\" : 12345678901234567890").contains("\"turns\" : 3").contains("\"items\" : 6")
          .containsPattern("\"recorded_at\" : \"\\d{4}-\\d\\d-\\d\\dT");

      Run history = run(postgres, "get", "resp_c", "--owner", "acme", "--history", "--table", "cli.read");
      assertThat(history.exit()).isZero();
      assertThat(history.out()).contains("\"text\" : \"first\"").contains("\"text\" : \"second\"")
          .contains("\"text\" : \"third\"").contains("\"response_id\" : \"resp_a\"");

      Run items = run(postgres, "get", "resp_c", "--owner", "acme", "--items-only", "--table", "cli.read");
      assertThat(items.out().strip()).startsWith("[ {").doesNotContain("response_id");
      assertThat(items.out().split("\"type\" : \"message\"", -1)).hasSize(7);

      assertThat(run(postgres, "get", "resp_c", "--history", "--items-only", "--table", "cli.read").exit())
          .as("one format at a time").isEqualTo(Main.USAGE);
      Run unscoped = run(postgres, "get", "resp_c", "--table", "cli.read");
      Run otherOwner = run(postgres, "get", "resp_c", "--owner", "globex", "--table", "cli.read");
      Run missing = run(postgres, "get", "resp_nope", "--owner", "globex", "--table", "cli.read");
      assertThat(unscoped.exit()).isEqualTo(Main.CHECK_FAILED);
      assertThat(unscoped.err()).contains("no response 'resp_c'");
      assertThat(otherOwner.exit()).isEqualTo(Main.CHECK_FAILED);
      assertThat(otherOwner.err()).as("another owner's reads as absent")
          .isEqualTo(missing.err().replace("resp_nope", "resp_c"));
      assertThat(run("get", "resp_c", "--type", "memory").exit()).as("on the empty memory store").isEqualTo(Main.CHECK_FAILED);
    }

    @Test
    @DisplayName("stats prints turns, conversations, sizes, oldest, newest and counts per provider and model")
    void stats() {
      try (StateStore store = storeAt("cli.counted", "turns", Duration.ZERO)) {
        store.record(turn("r1", null, null, "one"));
        store.record(turn("r2", "r1", null, "two"));
        store.record(turn("r3", null, null, "three"));
        store.record(Turn.builder("r4").previousResponseId("r3").model("claude").provider("anthropic")
            .input(InputItems.parse("[]")).output(InputItems.parse("[]")).createdAt(1).build());
        store.delete(null, "r2");
      }
      Run run = run(postgres, "stats", "--table", "cli.counted");
      assertThat(run.exit()).as(run.all()).isZero();
      assertThat(run.out()).contains("turns:          4 (1 of them deleted").contains("conversations:  2")
          .containsPattern("oldest:         \\d{4}-").containsPattern("openai\\s+3").containsPattern("anthropic\\s+1")
          .containsPattern("claude\\s+1").containsPattern("gpt-4o\\s+3");
    }
  }

  @Nested
  @DisplayName("configuration and secrets")
  class Configuration {

    @TempDir
    Path dir;

    @Test
    @DisplayName("reads a properties file and CONVSTATE_ variables with $VAR substitution")
    void sources() throws Exception {
      run(postgres, "migrate", "--table", "cli.sourced");
      String withVariable = db.url().replaceFirst(":[^:@/]*@", ":\\$PGPASS@");
      Path file = dir.resolve("convstate.properties");
      Files.writeString(file, "type=postgres\nconnection_string=" + withVariable + "\ntable=cli.sourced\n");
      String password = db.url().replaceFirst("^.*://[^:]*:([^@]*)@.*$", "$1");
      assertThat(run(Map.of("PGPASS", password), "verify", "--config", file.toString()).exit()).isZero();

      Map<String, String> environment = new HashMap<>(Map.of("PGPASS", password,
          "CONVSTATE_CONNECTION_STRING", withVariable, "CONVSTATE_TABLE", "cli.sourced"));
      assertThat(run(environment, "verify").exit()).isZero();
      environment.put("CONVSTATE_POOL_MAXSIZE", "2");
      Run typo = run(environment, "get", "x");
      assertThat(typo.exit()).isEqualTo(Main.USAGE);
      assertThat(typo.err()).contains("CONVSTATE_POOL_MAXSIZE, did you mean 'pool.max_size' (CONVSTATE_POOL_MAX_SIZE)?");
    }

    @Test
    @DisplayName("runs get, cleanup and stats on the README's cached configuration (the jar carries every backend)")
    void cachedConfiguration() throws Exception {
      run(postgres, "migrate", "--table", "cli.cached");
      String password = db.url().replaceFirst("^.*://[^:]*:([^@]*)@.*$", "$1");
      Path file = dir.resolve("cached.properties");
      Files.writeString(file, "type=cached\ncache.delegate=postgres\ncache.maximum_weight=512MiB\nconnection_string="
          + db.url().replaceFirst(":[^:@/]*@", ":\\$DB_PASSWORD@") + "\ntable=cli.cached\n");
      Map<String, String> environment = Map.of("DB_PASSWORD", password);
      Run get = run(environment, "get", "resp_none", "--config", file.toString());
      assertThat(get.exit()).as(get.all()).isEqualTo(Main.CHECK_FAILED);
      Run cleanup = run(environment, "cleanup", "--older-than", "7d", "--config", file.toString());
      assertThat(cleanup.exit()).as(cleanup.all()).isZero();
      assertThat(cleanup.out()).startsWith("Deleted 0 turns").contains("CachedStateStore").contains("PostgresStateStore");
      assertThat(run(environment, "stats", "--config", file.toString()).exit()).isZero();
    }

    @Test
    @DisplayName("never prints a password: not in help, not in errors")
    void noPasswords() {
      Map<String, String> environment = Map.of("DATABASE_URL", "postgresql://app:Sup3rS3cret@127.0.0.1:1/db");
      Run help = run(environment, "verify", "--help");
      assertThat(help.all()).doesNotContain("Sup3rS3cret");
      Run refused = run(environment, "verify");
      assertThat(refused.exit()).isEqualTo(Main.UNAVAILABLE);
      assertThat(refused.all()).contains("127.0.0.1:1").doesNotContain("Sup3rS3cret");
      Run badOption = run(environment, "get", "x", "-o", "pool.max_size=lots");
      assertThat(badOption.all()).doesNotContain("Sup3rS3cret");
    }
  }

  @Nested
  @DisplayName("without any configuration")
  class Unconfigured {

    private final String[][] dataCommands = {{"get", "resp_x"}, {"cleanup", "--older-than", "7d"},
        {"cleanup", "--older-than", "7d", "--dry-run"}, {"stats"}, {"verify"}, {"migrate"}, {"copy-to-turns"}};

    @Test
    @DisplayName("every data command exits 2 and names the three ways to configure a store, instead of using an empty memory store")
    void dataCommandsRefuse() {
      for (String[] args : dataCommands) {
        Run run = run(Map.of("HOME", "/home/op", "PATH", "/usr/bin"), args);
        assertThat(run.exit()).as(String.join(" ", args) + ": " + run.all()).isEqualTo(Main.USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("'" + args[0] + (args.length > 3 ? " --dry-run" : "") + "' needs a store, and none is configured.")
            .contains("flags:        --type postgres -c 'postgresql://user:****@host:5432/db'")
            .contains("a file:       --config convstate.properties")
            .contains("environment:  CONVSTATE_CONNECTION_STRING (or DATABASE_URL)")
            .doesNotContain("Deleted").doesNotContain("no response");
      }
    }

    @Test
    @DisplayName("a misspelt variable is named with the right one, and never taken for memory")
    void misspeltVariable() {
      String url = "postgresql://app:Sup3rS3cret@127.0.0.1:1/db";
      Run prefix = run(Map.of("CONVSTAE_CONNECTION_STRING", url), "cleanup", "--older-than", "7d");
      assertThat(prefix.exit()).isEqualTo(Main.USAGE);
      assertThat(prefix.err()).contains("CONVSTAE_CONNECTION_STRING is set: did you mean CONVSTATE_CONNECTION_STRING?")
          .doesNotContain("Sup3rS3cret");
      Run key = run(Map.of("CONVSTATE_CONECTION_STRING", url), "get", "resp_x");
      assertThat(key.exit()).isEqualTo(Main.USAGE);
      assertThat(key.err()).contains("CONVSTATE_CONECTION_STRING is set: did you mean CONVSTATE_CONNECTION_STRING?")
          .doesNotContain("Sup3rS3cret");
      Run databaseUrl = run(Map.of("DATABASE_URI", url), "stats");
      assertThat(databaseUrl.exit()).isEqualTo(Main.USAGE);
      assertThat(databaseUrl.err()).contains("DATABASE_URI is set: did you mean DATABASE_URL?");
      Run demo = run(Map.of("CONVSTATE_CONECTION_STRING", url), "demo");
      assertThat(demo.exit()).as("demo refuses an option memory does not have").isEqualTo(Main.USAGE);
      assertThat(demo.err()).contains("CONVSTATE_CONECTION_STRING").doesNotContain("Sup3rS3cret");
    }

    @Test
    @DisplayName("follows the library's rule: DATABASE_URL only for postgres or no type, the type from the scheme")
    void libraryRule() {
      Map<String, String> unreachable = Map.of("DATABASE_URL", "postgresql://app:pw@127.0.0.1:1/db");
      Run typeVariable = run(Map.of("DATABASE_URL", "postgresql://app:pw@127.0.0.1:1/db", "CONVSTATE_TYPE", "memory"),
          "cleanup", "--older-than", "7d");
      assertThat(typeVariable.exit()).as(typeVariable.all()).isZero();
      assertThat(typeVariable.out()).startsWith("Deleted 0 turns").contains("MemoryStateStore");
      Run typeFlag = run(unreachable, "cleanup", "--older-than", "7d", "--type", "memory");
      assertThat(typeFlag.exit()).as(typeFlag.all()).isZero();
      assertThat(run(unreachable, "get", "x").exit()).as("postgres from the scheme: unreachable").isEqualTo(Main.UNAVAILABLE);
      assertThat(run(Map.of("CONVSTATE_CONNECTION_STRING", db.url()), "verify", "--table", "cli.absent").out())
          .contains("Verifying ");
    }
  }

  @Nested
  @DisplayName("failures, one exit code per kind")
  class Failures {

    @Test
    @DisplayName("a mistyped --type suggests the closest type in every command, exit 2")
    void typeTypo() {
      for (String[] args : new String[][] {{"get", "x"}, {"stats"}, {"verify"}, {"migrate"}, {"copy-to-turns"},
          {"cleanup", "--older-than", "7d"}, {"cleanup", "--older-than", "7d", "--dry-run"}, {"demo"}}) {
        String[] withType = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--type", "postgress"))
            .toArray(String[]::new);
        Run run = run(postgres, withType);
        assertThat(run.exit()).as(String.join(" ", withType) + ": " + run.all()).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("Unknown store type 'postgress'").contains("Did you mean 'postgres'?");
      }
    }

    @Test
    @DisplayName("a missing table exits 2 in every command and names the commands that create that very table")
    void missingTable() {
      for (String[] args : new String[][] {{"get", "x"}, {"stats"}, {"cleanup", "--older-than", "7d"},
          {"cleanup", "--older-than", "7d", "--dry-run"}}) {
        String[] onTable = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--table", "cli.nosuch"))
            .toArray(String[]::new);
        Run run = run(postgres, onTable);
        assertThat(run.exit()).as(String.join(" ", onTable) + ": " + run.all()).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("'cli.nosuch' does not exist")
            .contains("To create table cli.nosuch: convstate migrate --table cli.nosuch --layout turns (with the same store options)")
            .contains("its SQL: convstate schema --table cli.nosuch --layout turns");
      }
      Run seed = run(postgres, "stats", "--table", "cli.nosuch_seed", "--layout", "conversation_states");
      assertThat(seed.exit()).isEqualTo(Main.USAGE);
      assertThat(seed.err()).contains("convstate migrate --table cli.nosuch_seed --layout conversation_states");
      Run source = run(postgres, "copy-to-turns", "--from", "cli.nosuch_source", "--to", "cli.copy_nowhere");
      assertThat(source.exit()).isEqualTo(Main.USAGE);
      assertThat(source.err()).contains("cli.nosuch_source").contains("Check --from").doesNotContain("convstate migrate --table");
    }

    @Test
    @DisplayName("an unreachable server is 3 (retry later) in every command")
    void unreachable() {
      Map<String, String> down = Map.of("DATABASE_URL", "postgresql://app:pw@127.0.0.1:1/db");
      for (String[] args : new String[][] {{"get", "x"}, {"stats"}, {"verify"}, {"migrate"},
          {"cleanup", "--older-than", "7d"}, {"cleanup", "--older-than", "7d", "--dry-run"}}) {
        assertThat(run(down, args).exit()).as(String.join(" ", args)).isEqualTo(Main.UNAVAILABLE);
      }
    }

    @Test
    @DisplayName("cleanup --older-than under one hour refuses without --yes (exit 2), and runs with it")
    void cleanupUnderAnHour() {
      for (String age : new String[] {"0s", "30m", "PT59M"}) {
        Run refused = run(postgres, "cleanup", "--older-than", age, "--table", "cli.nosuch_either");
        assertThat(refused.exit()).as(age).isEqualTo(Main.USAGE);
        assertThat(refused.err()).contains("--older-than " + age + " is under one hour").contains("Add --yes to confirm");
      }
      Run confirmed = run(Map.of(), "cleanup", "--older-than", "0s", "--yes", "--type", "memory");
      assertThat(confirmed.exit()).as(confirmed.all()).isZero();
      assertThat(confirmed.out()).startsWith("Deleted 0 turns");
      assertThat(run(Map.of(), "cleanup", "--older-than", "1h", "--type", "memory").exit()).isZero();
    }
  }

  @Nested
  @DisplayName("never echoes a password")
  class Echo {

    @Test
    @DisplayName("not from a connection string given before the command, nor as a stray or positional argument")
    void maskedArguments() {
      String url = "postgresql://app:Sup3rS3cret@db.example.com/app";
      for (String[] args : new String[][] {{"-c", url, "get", "x"}, {"get", "x", url}, {"stats", url},
          {"--connection-string=" + url, "stats"}, {"get", "x", "jdbc:postgresql://db/app?user=app&password=Sup3rS3cret"}}) {
        Run run = run(args);
        assertThat(run.exit()).as(String.join(" ", args)).isEqualTo(Main.USAGE);
        assertThat(run.all()).doesNotContain("Sup3rS3cret").contains("****").contains("--help");
        if (args[0].startsWith("-")) {
          assertThat(run.err()).contains("Store options go after the command");
        }
      }
      Run positional = run(Map.of(), "get", url, "--type", "memory");
      assertThat(positional.exit()).isEqualTo(Main.CHECK_FAILED);
      assertThat(positional.all()).doesNotContain("Sup3rS3cret").contains("postgresql://app:****@db.example.com/app");
    }
  }

  @Nested
  @DisplayName("text")
  class Text {

    @TempDir
    Path dir;

    @Test
    @DisplayName("one turn is '1 turn'")
    void singular() throws Exception {
      try (StateStore old = storeAt("cli.aged_one", "turns", Duration.ofDays(8))) {
        old.record(turn("old_only", null, null, "old"));
      }
      Run dry = run(postgres, "cleanup", "--older-than", "7d", "--dry-run", "--table", "cli.aged_one");
      assertThat(dry.out()).startsWith("Would delete 1 turn of conversations");
      Run real = run(postgres, "cleanup", "--older-than", "7d", "--table", "cli.aged_one");
      assertThat(real.out()).startsWith("Deleted 1 turn of conversations");
      assertThat(real.err()).contains("deleted 1 turn...");
    }

    @Test
    @DisplayName("a missing --config file is 'file not found'")
    void missingConfig() {
      Run run = run("stats", "--config", dir.resolve("nowhere.properties").toString());
      assertThat(run.exit()).isEqualTo(Main.USAGE);
      assertThat(run.err()).contains("--config " + dir.resolve("nowhere.properties") + ": file not found");
    }

    @Test
    @DisplayName("-V prints the artifact version Maven built")
    void version() throws Exception {
      Properties pom = new Properties();
      try (var in = Files.newInputStream(Path.of("target/classes/io/convstate/cli/convstate-version.properties"))) {
        pom.load(in);
      }
      Run run = run("-V");
      assertThat(run.exit()).isZero();
      assertThat(run.out().strip()).isEqualTo("convstate " + pom.getProperty("version")).matches("convstate \\d+\\.\\d+\\.\\d+.*");
      assertThat(Files.readString(Path.of("pom.xml"))).contains("<version>" + pom.getProperty("version") + "</version>");
    }

    @Test
    @DisplayName("sentences end with one mark: no '?.' or '..' where a suggestion or a driver's message ends")
    void punctuation() {
      Run run = run(Map.of("DATABASE_URL", db.url(), "CONVSTATE_POOL_MAXSIZE", "2"), "get", "x");
      assertThat(run.err()).contains("(CONVSTATE_POOL_MAX_SIZE)? Known options").doesNotContain("?.");
      assertThat(Main.tidy("backend.. The server")).isEqualTo("backend. The server");
      assertThat(Main.tidy("wait... then")).isEqualTo("wait... then");
    }
  }
}
