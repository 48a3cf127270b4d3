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

  private static Run run(Map<String, String> environment, String... args) {
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

  private static Turn turn(String id, String previous, String owner, String input) {
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
      assertThat(run.out()).contains("convstate demo on MemoryStateStore");
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
      assertThat(first.out()).startsWith("Created ").contains("layout turns");
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
      assertThat(run.out()).contains("FAIL Table 'cli.absent' does not exist.").contains("fix: convstate migrate");
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
    @DisplayName("on the memory store, verify, migrate, stats, copy-to-turns and cleanup --dry-run say they need a postgres table")
    void onMemory() {
      for (String[] args : new String[][] {{"verify"}, {"migrate"}, {"stats"}, {"copy-to-turns"},
          {"cleanup", "--older-than", "7d", "--dry-run"}}) {
        Run run = run(args);
        assertThat(run.exit()).as(String.join(" ", args)).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("works on a postgres table, and the configured store is 'memory'");
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
      assertThat(real.err()).as("progress").contains("deleted 1,000 turns...").contains("deleted 2,500 turns...");
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
      assertThat(run("cleanup", "--older-than", "12h").out()).startsWith("Deleted 0 turns");
      assertThat(run("cleanup", "--older-than", "PT36H").exit()).isZero();
      Run bad = run("cleanup", "--older-than", "a week");
      assertThat(bad.exit()).isEqualTo(Main.USAGE);
      assertThat(bad.err()).contains("is not a duration");
    }
  }

  @Nested
  @DisplayName("get and stats")
  class GetAndStats {

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
      assertThat(run("get", "resp_c").exit()).as("on the empty memory store").isEqualTo(Main.CHECK_FAILED);
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
}
