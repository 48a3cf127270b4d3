package io.convstate.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.postgres.TestDatabase;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Every benchmark still runs: a few hundred milliseconds each, in this JVM. No figure is asserted
 * here; the figures come from scripts/bench (see BENCHMARKS.md).
 */
@DisplayName("Every benchmark runs")
class BenchmarksSmokeTest {

  @BeforeAll
  static void database() {
    System.setProperty("convstate.bench.url", TestDatabase.get().url());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(classes = {MemoryBenchmark.class, CachedBenchmark.class, PostgresBenchmark.class})
  void jmh(Class<?> benchmark) throws Exception {
    Collection<RunResult> results = new Runner(new OptionsBuilder()
        .include(benchmark.getSimpleName())
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100))
        .threads(1)
        .build()).run();
    assertThat(results).isNotEmpty();
    assertThat(results).allSatisfy(result -> assertThat(result.getPrimaryResult().getScore()).isPositive());
  }

  @Test
  @DisplayName("the conversation scenario on memory, postgres and cached, with its tables and plot")
  void scenario(@TempDir Path out) throws Exception {
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    List<ConversationScenario.Result> results = List.of(
        ConversationScenario.run("memory", new int[] {1, 10}, 1, 2, 1, quiet),
        ConversationScenario.run("postgres", new int[] {1, 10}, 1, 2, 1, quiet),
        ConversationScenario.run("cached", new int[] {1, 10}, 1, 2, 1, quiet));
    assertThat(results).allSatisfy(result -> {
      assertThat(result.turns).isEqualTo(11);
      assertThat(result.atTurn(10)[1]).as("bytes written at turn 10").isGreaterThan(result.atTurn(1)[1]);
    });
    GrowthPlot.write(results, out.resolve("plot.png"));
    assertThat(Files.size(out.resolve("plot.png"))).isPositive();
    assertThat(ConversationScenario.markdown(results)).contains("| postgres | 10 |");
  }
}
