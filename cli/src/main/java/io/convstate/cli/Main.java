package io.convstate.cli;

import io.convstate.ConfigurationException;
import io.convstate.InvalidInputException;
import io.convstate.Secrets;
import io.convstate.StorageException;
import io.convstate.StorageUnavailableException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code convstate} command: the operator's tool and the demo. */
@Command(
    name = "convstate",
    mixinStandardHelpOptions = true,
    version = "convstate 0.2.0",
    description = {"Conversation state for the OpenAI Responses API, kept as a log of turns:",
        "demo, schema, migrate, verify, copy-to-turns, cleanup, get, stats."},
    subcommands = {DemoCommand.class, SchemaCommand.class, MigrateCommand.class, VerifyCommand.class,
        CopyToTurnsCommand.class, CleanupCommand.class, GetCommand.class, StatsCommand.class, ServeCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done; for verify: the tables are as convstate needs them",
        "1:verify found a problem (each is printed with its fix), get found no response, or copy-to-turns did not verify",
        "2:bad usage or configuration",
        "3:storage unavailable (connection refused, authentication, timeout): retry later",
        "4:other storage error"})
public final class Main {

  /** Exit code when verify finds a problem, get finds nothing, or a copy does not verify. */
  static final int CHECK_FAILED = 1;
  /** Exit code for bad usage or configuration. */
  static final int USAGE = 2;
  /** Exit code when the storage cannot be reached. */
  static final int UNAVAILABLE = 3;
  /** Exit code for other storage errors. */
  static final int STORAGE_ERROR = 4;

  /** Where $VAR references, DATABASE_URL and CONVSTATE_* variables are read. */
  final Map<String, String> environment;

  private Main(Map<String, String> environment) {
    this.environment = environment;
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.getenv()));
  }

  /** Runs the command line with the given streams and environment, and returns the exit code. */
  static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> environment) {
    CommandLine commandLine = new CommandLine(new Main(environment));
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("convstate: " + Secrets.maskInText(e.getMessage()));
      return exitCode(e);
    });
    commandLine.setExitCodeExceptionMapper(Main::exitCode);
    return commandLine.execute(args);
  }

  static int exitCode(Throwable e) {
    if (e instanceof StorageUnavailableException) {
      return UNAVAILABLE;
    }
    if (e instanceof StorageException) {
      return STORAGE_ERROR;
    }
    if (e instanceof ConfigurationException || e instanceof InvalidInputException
        || e instanceof CommandLine.ParameterException || e instanceof IllegalArgumentException) {
      return USAGE;
    }
    return STORAGE_ERROR;
  }
}
