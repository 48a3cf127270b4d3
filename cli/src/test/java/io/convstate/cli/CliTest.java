package io.convstate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.postgres.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
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

  @Nested
  @DisplayName("demo")
  class Demo {

    @Test
    @DisplayName("runs a four-turn conversation on the embedded memory store, recalls the first turn, and shows the 400")
    void onMemory() {
      Run run = run("demo");
      assertThat(run.exit()).isZero();
      assertThat(run.out())
          .contains("convstate demo on MemoryStateStore")
          .contains("history rebuilt:  8 items sent upstream")
          .contains("Your name is Alice, and you like Python.")
          .contains("HTTP 400 {\"error\":{\"message\":\"Previous response with id 'resp_missing_")
          .contains("\"code\":\"previous_response_not_found\"");
    }

    @Test
    @DisplayName("runs on PostgreSQL when DATABASE_URL is set, storing each turn")
    void onPostgres() throws Exception {
      run(postgres, "migrate", "--table", "cli.demo");
      Run run = run(postgres, "demo", "--table", "cli.demo");
      assertThat(run.exit()).as(run.all()).isZero();
      assertThat(run.out()).contains("PostgresStateStore").contains("Your name is Alice, and you like Python.");
      assertThat(count("SELECT count(*) FROM cli.demo")).isEqualTo(4);
      assertThat(count("SELECT max(jsonb_array_length(input_items)) FROM cli.demo")).isEqualTo(9);
    }
  }

  @Nested
  @DisplayName("schema and migrate")
  class SchemaAndMigrate {

    @Test
    @DisplayName("schema prints the DDL for the table, or the drop script, without connecting")
    void schema() {
      assertThat(run("schema").out()).contains("CREATE TABLE IF NOT EXISTS conversation_states (")
          .contains("idx_conversation_states_updated_at");
      assertThat(run("schema", "--table", "app.states").out()).contains("CREATE TABLE IF NOT EXISTS \"app\".\"states\"")
          .contains("idx_states_provider ON \"app\".\"states\"");
      assertThat(run("schema", "--drop").out()).contains("DROP TABLE IF EXISTS conversation_states;");
      assertThat(run("schema", "--table", "x;drop").exit()).isEqualTo(Main.USAGE);
    }

    @Test
    @DisplayName("migrate creates the table, says so, and running it again is fine")
    void migrate() {
      Run first = run(postgres, "migrate", "--table", "cli.migrated");
      assertThat(first.exit()).as(first.all()).isZero();
      assertThat(first.out()).startsWith("Created ");
      Run second = run(postgres, "migrate", "--table", "cli.migrated");
      assertThat(second.exit()).isZero();
      assertThat(second.out()).startsWith("Already there");
      assertThat(run(postgres, "verify", "--table", "cli.migrated").exit()).isZero();
    }
  }

  @Nested
  @DisplayName("verify")
  class Verify {

    @Test
    @DisplayName("passes on a table made by the shipped script")
    void passes() {
      run(postgres, "migrate", "--table", "cli.verified");
      Run run = run(postgres, "verify", "--table", "cli.verified");
      assertThat(run.exit()).isZero();
      assertThat(run.out()).contains("OK: table, columns, types, primary key, indexes and privileges");
    }

    @Test
    @DisplayName("fails on a missing table, saying how to create it")
    void missingTable() {
      Run run = run(postgres, "verify", "--table", "cli.absent");
      assertThat(run.exit()).isEqualTo(Main.CHECK_FAILED);
      assertThat(run.out()).contains("FAIL Table 'cli.absent' does not exist.").contains("fix: convstate migrate");
    }

    @Test
    @DisplayName("fails on a wrong column type and a missing index, with the SQL that fixes each")
    void wrongType() {
      run(postgres, "migrate", "--table", "cli.wrong");
      db.execute("ALTER TABLE cli.wrong ALTER COLUMN input_items TYPE text", "DROP INDEX cli.idx_wrong_updated_at");
      Run run = run(postgres, "verify", "--table", "cli.wrong");
      assertThat(run.exit()).isEqualTo(Main.CHECK_FAILED);
      assertThat(run.out())
          .contains("FAIL Column 'input_items' is text, not jsonb.")
          .contains("ALTER TABLE cli.wrong ALTER COLUMN input_items TYPE jsonb USING input_items::jsonb;")
          .contains("FAIL No index on updated_at")
          .contains("2 problems found.");
    }

    @Test
    @DisplayName("fails on a role without write privileges, naming the GRANT")
    void missingPrivilege() {
      run(postgres, "migrate", "--table", "cli.granted");
      db.execute("DROP ROLE IF EXISTS cli_reader", "CREATE ROLE cli_reader LOGIN PASSWORD 'Rd#1'",
          "GRANT USAGE ON SCHEMA cli TO cli_reader", "GRANT SELECT ON cli.granted TO cli_reader");
      Run run = run(Map.of("DATABASE_URL", db.urlAs("cli_reader", "Rd%231")), "verify", "--table", "cli.granted");
      assertThat(run.exit()).isEqualTo(Main.CHECK_FAILED);
      assertThat(run.out())
          .contains("FAIL Role 'cli_reader' lacks INSERT, UPDATE, DELETE on cli.granted.")
          .contains("GRANT SELECT, INSERT, UPDATE, DELETE ON cli.granted TO cli_reader;")
          .doesNotContain("Rd#1").doesNotContain("Rd%231");
    }

    @Test
    @DisplayName("on the memory store, verify, migrate and cleanup --dry-run say they need a postgres table")
    void onMemory() {
      for (String[] args : new String[][] {{"verify"}, {"migrate"}, {"cleanup", "--older-than", "7d", "--dry-run"}}) {
        Run run = run(args);
        assertThat(run.exit()).isEqualTo(Main.USAGE);
        assertThat(run.err()).contains("works on a postgres table, and the configured store is 'memory'");
      }
    }
  }

  @Nested
  @DisplayName("cleanup")
  class Cleanup {

    @Test
    @DisplayName("removes exactly the states older than the duration; --dry-run only counts them")
    void removesOld() throws Exception {
      run(postgres, "migrate", "--table", "cli.aged");
      db.execute("INSERT INTO cli.aged (response_id, input_items, created_at, model, provider, updated_at)"
          + " SELECT 'old_' || i, '[]', 0, 'm', 'p', (NOW() AT TIME ZONE 'UTC') - INTERVAL '8 days' FROM generate_series(1, 2500) i",
          "INSERT INTO cli.aged (response_id, input_items, created_at, model, provider, updated_at)"
          + " SELECT 'new_' || i, '[]', 0, 'm', 'p', (NOW() AT TIME ZONE 'UTC') - INTERVAL '6 days' FROM generate_series(1, 100) i");
      Run dry = run(postgres, "cleanup", "--older-than", "7d", "--dry-run", "--table", "cli.aged");
      assertThat(dry.exit()).as(dry.all()).isZero();
      assertThat(dry.out()).startsWith("Would delete 2500 states");
      assertThat(count("SELECT count(*) FROM cli.aged")).isEqualTo(2600);

      Run real = run(postgres, "cleanup", "--older-than", "7d", "--table", "cli.aged");
      assertThat(real.exit()).as(real.all()).isZero();
      assertThat(real.out()).startsWith("Deleted 2500 states");
      assertThat(real.err()).as("progress").contains("deleted 1,000 states...").contains("deleted 2,500 states...");
      assertThat(count("SELECT count(*) FROM cli.aged WHERE response_id LIKE 'old_%'")).isZero();
      assertThat(count("SELECT count(*) FROM cli.aged WHERE response_id LIKE 'new_%'")).isEqualTo(100);
    }

    @Test
    @DisplayName("takes 12h, 30d and ISO durations, and refuses others")
    void durations() {
      assertThat(run("cleanup", "--older-than", "12h").out()).startsWith("Deleted 0 states");
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
    @DisplayName("get prints a state as JSON, or only its items, and exits 1 when there is none")
    void get() {
      run(postgres, "migrate", "--table", "cli.read");
      db.execute("INSERT INTO cli.read VALUES ('resp_x', '[{\"type\": \"message\", \"n\": 12345678901234567890}]', 42, 'gpt-4o', 'openai', '2026-01-02 03:04:05')");
      Run full = run(postgres, "get", "resp_x", "--table", "cli.read");
      assertThat(full.exit()).as(full.all()).isZero();
      assertThat(full.out()).contains("\"response_id\" : \"resp_x\"").contains("\"updated_at\" : \"2026-01-02T03:04:05Z\"")
          .contains("\"n\" : 12345678901234567890");
      Run items = run(postgres, "get", "resp_x", "--items-only", "--table", "cli.read");
      assertThat(items.out().strip()).startsWith("[ {").doesNotContain("response_id");
      Run missing = run(postgres, "get", "resp_nope", "--table", "cli.read");
      assertThat(missing.exit()).isEqualTo(Main.CHECK_FAILED);
      assertThat(missing.err()).contains("no state for response id 'resp_nope'");
      assertThat(run("get", "resp_x").exit()).as("on the empty memory store").isEqualTo(Main.CHECK_FAILED);
    }

    @Test
    @DisplayName("stats prints count, sizes, oldest, newest and counts per provider and model")
    void stats() {
      run(postgres, "migrate", "--table", "cli.counted");
      db.execute("INSERT INTO cli.counted (response_id, input_items, created_at, model, provider, updated_at)"
          + " SELECT 'r' || i, '[]', 0, CASE WHEN i % 2 = 0 THEN 'gpt-4o' ELSE 'claude' END,"
          + " CASE WHEN i % 2 = 0 THEN 'openai' ELSE 'anthropic' END, TIMESTAMP '2026-01-01' + i * INTERVAL '1 day'"
          + " FROM generate_series(1, 5) i");
      Run run = run(postgres, "stats", "--table", "cli.counted");
      assertThat(run.exit()).as(run.all()).isZero();
      assertThat(run.out()).contains("states:      5").contains("oldest:      2026-01-02T00:00:00Z")
          .contains("newest:      2026-01-06T00:00:00Z").containsPattern("anthropic\\s+3").containsPattern("openai\\s+2")
          .containsPattern("claude\\s+3");
      assertThat(run("stats").exit()).as("on memory").isEqualTo(Main.USAGE);
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
