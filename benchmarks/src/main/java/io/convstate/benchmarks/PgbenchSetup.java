package io.convstate.benchmarks;

import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Prepares pgbench's side of the PostgreSQL comparison: a fresh turn-layout table in schema
 * {@code bench_pgbench} with the same 1,000 conversations as {@link PostgresBenchmark}, and pgbench
 * scripts running the store's record and history statements with the same turn. The turn's input
 * and output are pgbench variables ({@code -D input=... -D output=...}), bound as parameters with
 * {@code -M prepared}, as the store binds them. Arguments: the directory for the scripts, and the
 * number of conversations (1,000 unless given).
 */
public final class PgbenchSetup {

  private PgbenchSetup() {}

  public static void main(String[] args) throws Exception {
    Path directory = Path.of(args.length > 0 ? args[0] : "benchmarks/results/pgbench");
    int conversations = args.length > 1 ? Integer.parseInt(args[1]) : PostgresBenchmark.KEYS;
    Files.createDirectories(directory);
    Map<String, String> options = BenchDatabase.freshTable("bench_pgbench", BenchDatabase.TURNS);
    try (StateStore store = StateStores.open(StoreConfig.of(options, Map.of()))) {
      for (int i = 0; i < conversations; i++) {
        for (Turn turn : Payloads.turns("resp_" + i, null)) {
          store.record(turn);
        }
      }
    }
    Turn next = Payloads.nextTurn("resp_next", "resp_0_12", null);
    Files.writeString(directory.resolve("input.json"), next.input().toJson());
    Files.writeString(directory.resolve("output.json"), next.output().toJson());
    String parent = "\\set id random(0, " + (conversations - 1) + ")\n";
    Files.writeString(directory.resolve("record.sql"), parent + "\\set r random(0, 9223372036854775806)\n"
        + bind(PostgresBenchmark.RECORD_NEXT_TURN.replace("bench.", "bench_pgbench."),
            "'resp_' || :id || '_12'", "NULL", "'resp_pgb_' || :client_id || '_' || :r", "now() AT TIME ZONE 'UTC'",
            "'resp_pgb_' || :client_id || '_' || :r", "'resp_' || :id || '_12'", "NULL", ":input", ":output",
            "'gpt-4o'", "'openai'", "1700000100", "NULL", "now() AT TIME ZONE 'UTC'") + ";\n");
    Files.writeString(directory.resolve("history.sql"), parent
        + bind(PostgresBenchmark.SELECT_HISTORY.replace("bench.", "bench_pgbench."), "'resp_' || :id || '_12'", "NULL")
        + ";\n");
    System.out.println("pgbench scripts in " + directory + ", table bench_pgbench.conversation_turns with "
        + conversations + " conversations of " + Payloads.HISTORY_TURNS + " turns");
  }

  /** The statement with each {@code ?} replaced by the next expression, on one line (pgbench's form). */
  private static String bind(String sql, String... expressions) {
    StringBuilder bound = new StringBuilder();
    int next = 0;
    for (char c : sql.toCharArray()) {
      if (c == '?') {
        bound.append('(').append(expressions[next++]).append(')');
      } else {
        bound.append(c == '\n' ? ' ' : c);
      }
    }
    if (next != expressions.length) {
      throw new IllegalStateException(expressions.length + " expressions for " + next + " parameters");
    }
    return bound.toString();
  }
}
