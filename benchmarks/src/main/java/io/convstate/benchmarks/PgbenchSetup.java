package io.convstate.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Prepares pgbench's side of the PostgreSQL comparison: a fresh table {@code bench_pgbench} with
 * the same 1,000 rows as {@link PostgresBenchmark}, and pgbench scripts running the store's
 * upsert and select with the same 7 KiB payload. Argument: the directory for the scripts.
 */
public final class PgbenchSetup {

  private PgbenchSetup() {}

  public static void main(String[] args) throws Exception {
    Path directory = Path.of(args.length > 0 ? args[0] : "benchmarks/results/pgbench");
    Files.createDirectories(directory);
    Map<String, String> options = BenchDatabase.freshTable("bench_pgbench");
    String payload = Payloads.history().toJson().replace("'", "''");
    BenchDatabase.execute(options, "INSERT INTO bench_pgbench.conversation_states"
        + " (response_id, input_items, created_at, model, provider, updated_at) SELECT 'resp_' || i, '" + payload
        + "'::jsonb, 1700000000, 'gpt-4o', 'openai', now() AT TIME ZONE 'UTC' FROM generate_series(0, " + (PostgresBenchmark.KEYS - 1) + ") i");
    // The payload is a pgbench variable (pgbench -D payload=...): with -M prepared it is bound as a
    // parameter and parsed as jsonb on every call, as the store's is, not folded once as a literal.
    Files.writeString(directory.resolve("payload.json"), Payloads.history().toJson());
    Files.writeString(directory.resolve("upsert.sql"), "\\set id random(0, " + (PostgresBenchmark.KEYS - 1) + ")\n"
        + PostgresBenchmark.UPSERT.replace("bench.", "bench_pgbench.")
            .replace("VALUES (?, ?::jsonb, ?, ?, ?, ?)", "VALUES ('resp_' || :id, (:payload)::jsonb, 1700000000, 'gpt-4o',"
                + " 'openai', now() AT TIME ZONE 'UTC')") + ";\n");
    Files.writeString(directory.resolve("select.sql"), "\\set id random(0, " + (PostgresBenchmark.KEYS - 1) + ")\n"
        + PostgresBenchmark.SELECT.replace("bench.", "bench_pgbench.").replace("= ?", "= 'resp_' || :id") + ";\n");
    System.out.println("pgbench scripts in " + directory + ", table bench_pgbench.conversation_states with "
        + PostgresBenchmark.KEYS + " rows of " + Payloads.history().jsonBytes() + " bytes of items");
  }
}
