package io.convstate.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.postgres.TestDatabase;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Every benchmark still runs: a few hundred milliseconds each, in this JVM, with JMH's output in a
 * file. No figure is asserted here; the figures come from scripts/bench (see BENCHMARKS.md).
 */
@DisplayName("Every benchmark runs")
class BenchmarksSmokeTest {

  @TempDir
  static Path out;

  @BeforeAll
  static void database() {
    System.setProperty("convstate.bench.url", TestDatabase.get().url());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(classes = {MemoryBenchmark.class, CachedBenchmark.class, PostgresBenchmark.class})
  void jmh(Class<?> benchmark) throws Exception {
    OptionsBuilder options = new OptionsBuilder();
    if (benchmark == PostgresBenchmark.class) {
      options.param("conversations", "20");
    }
    Collection<RunResult> results = new Runner(options
        .include(benchmark.getSimpleName())
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100))
        .threads(1)
        .output(out.resolve(benchmark.getSimpleName() + ".txt").toString())
        .build()).run();
    assertThat(results).isNotEmpty();
    assertThat(results).allSatisfy(result -> assertThat(result.getPrimaryResult().getScore()).isPositive());
  }

  @Test
  @DisplayName("the conversation scenario on every store, with its tables and plot (Redis from TEST_REDIS_URL)")
  void scenario() throws Exception {
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    List<ConversationScenario.Result> results = new ArrayList<>();
    for (String store : ConversationScenario.STORES.keySet()) {
      results.add(ConversationScenario.run(store, ConversationScenario.lengths("1x1,10x2"), 2, 1, 1, quiet));
    }
    assertThat(results).allSatisfy(result -> {
      assertThat(result.turns()).isEqualTo(21);
      assertThat(result.p50Micros(10, 10)).as("the cost of turn 10").isPositive();
      assertThat(result.coldLoads).singleElement().satisfies(load -> assertThat(load.turns).isEqualTo(10));
      assertThat(result.group(10).historyBytes).as("JSON of a 10-turn history").isGreaterThan(64 * 1024);
    });
    assertThat(results).filteredOn(result -> result.tableSizes != null).hasSize(3).allSatisfy(result -> {
      assertThat(result.group(10).walBytes).as("WAL of a 10-turn conversation").isPositive();
      assertThat(result.group(10).sentBytes).as("bytes sent for a 10-turn conversation").isPositive();
      assertThat(result.coldLoads.get(0).roundTrips).as("round trips of a history read").isPositive();
    });
    assertThat(results).filteredOn(result -> result.group(10).memoryBytes >= 0).hasSize(2).allSatisfy(result -> {
      assertThat(result.group(10).memoryBytes).as("Redis memory of a 10-turn conversation").isPositive();
      assertThat(result.group(10).sentBytes).as("bytes sent for a 10-turn conversation").isPositive();
      assertThat(result.coldLoads.get(0).roundTrips).as("round trips of a history read").isPositive();
    });
    Path plot = out.resolve("plot.png");
    GrowthPlot.write(results, plot);
    assertThat(Files.size(plot)).isPositive();
    assertThat(ConversationScenario.markdown(results))
        .contains("| postgres, turn layout | 10 |")
        .contains("| postgres, seed layout (conversation_states) | 10 |")
        .contains("| cached over postgres, turn layout |")
        .contains("| redis | 10 |")
        .contains("| cached over redis | 10 |");
  }
}
