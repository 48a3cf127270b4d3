package io.convstate.cli;

import io.convstate.ConfigurationException;
import io.convstate.InvalidInputException;
import io.convstate.Secrets;
import io.convstate.StorageException;
import io.convstate.StorageUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code convstate} command: the operator's tool and the demo. */
@Command(
    name = "convstate",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {"Conversation state for the OpenAI Responses API, kept as a log of turns:",
        "demo, serve, schema, migrate, verify, copy-to-turns, cleanup, get, stats."},
    subcommands = {DemoCommand.class, SchemaCommand.class, MigrateCommand.class, VerifyCommand.class,
        CopyToTurnsCommand.class, CleanupCommand.class, GetCommand.class, StatsCommand.class, ServeCommand.class, CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done; for verify: no problem found",
        "1:verify found a problem (each is printed with its fix), migrate found columns of the wrong type, get found no response, or copy-to-turns did not verify",
        "2:bad usage or configuration (no store configured, an unknown type or option, a missing table)",
        "3:storage unavailable for now (connection refused, server restarting, timeout): retry later",
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
      String message = tidy(e.getMessage() == null ? e.toString() : e.getMessage());
      if (cmd.getCommand() instanceof StoreCommand) {
        message += ((StoreCommand) cmd.getCommand()).missingTableHint(message);
      }
      cmd.getErr().println("convstate: " + Secrets.maskInText(message));
      return exitCode(e);
    });
    commandLine.setParameterExceptionHandler(Main::usageError);
    commandLine.setExitCodeExceptionMapper(Main::exitCode);
    return commandLine.execute(args);
  }

  /**
   * Prints a usage error without echoing a secret: an unmatched argument may be a connection
   * string given in the wrong place (before the command, say), so every URL password in the
   * message is masked. Suggests the help of the command concerned rather than printing all of it.
   */
  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    err.println("convstate: " + Secrets.maskInText(tidy(e.getMessage())));
    if (e instanceof CommandLine.UnmatchedArgumentException) {
      List<String> suggestions = ((CommandLine.UnmatchedArgumentException) e).getSuggestions();
      if (!suggestions.isEmpty()) {
        err.println("Did you mean: " + Secrets.maskInText(String.join(" or ", suggestions)) + "?");
      }
    }
    if (cmd.getCommandSpec().parent() == null && e instanceof CommandLine.UnmatchedArgumentException
        && ((CommandLine.UnmatchedArgumentException) e).getUnmatched().stream().anyMatch(arg -> arg.startsWith("-"))) {
      err.println("Store options go after the command, e.g. convstate stats -c URI.");
    }
    err.println("See '" + cmd.getCommandSpec().qualifiedName() + " --help'.");
    return USAGE;
  }

  /** Joins sentences whose parts each end with punctuation: "x?. Known" and "backend.. The" read as one mark. */
  static String tidy(String message) {
    return message.replaceAll("([?!])\\.(\\s)", "$1$2").replaceAll("(?<!\\.)\\.\\.(\\s)", ".$1");
  }

  static int exitCode(Throwable e) {
    if (e instanceof StorageUnavailableException) {
      return UNAVAILABLE;
    }
    if (MissingTable.in(e)) {
      return USAGE;
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

  /** The artifact version, from the properties Maven fills in when it builds the jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"convstate " + version()};
    }

    static String version() {
      Properties properties = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("convstate-version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      } catch (IOException e) {
        // reported as unknown below
      }
      String version = properties.getProperty("version", "");
      if (!version.isEmpty() && !version.startsWith("${")) {
        return version;
      }
      String manifest = Main.class.getPackage().getImplementationVersion();
      return manifest != null ? manifest : "(version unknown: not built by Maven)";
    }
  }
}
