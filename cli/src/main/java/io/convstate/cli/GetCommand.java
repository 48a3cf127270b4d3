package io.convstate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.convstate.History;
import io.convstate.Secrets;
import io.convstate.StateStore;
import java.util.Optional;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", mixinStandardHelpOptions = true,
    description = {"Print a response's turn as JSON, with a summary of its history; or its whole history.",
        "Exit 1 when the response is absent, deleted or another owner's (all three read alike)."})
final class GetCommand extends StoreCommand {

  @Parameters(paramLabel = "RESPONSE_ID", description = "The response id.")
  String responseId;

  @Option(names = "--owner", paramLabel = "OWNER", description = "Read as this owner (default: unscoped turns only).")
  String owner;

  @ArgGroup(exclusive = true)
  Format format = new Format();

  static final class Format {
    @Option(names = "--history", description = "Print every turn from the conversation's first to this one.")
    boolean history;

    @Option(names = "--items-only",
        description = "Print only the history's items: what a request continuing this response sends before its own input.")
    boolean itemsOnly;
  }

  @Override
  public Integer call() throws Exception {
    try (StateStore states = store.openToRead(environment(), "get")) {
      Optional<History> found = states.history(owner, responseId);
      if (found.isEmpty()) {
        err().println("convstate: no response '" + Secrets.maskInText(responseId) + "'" + (owner == null ? "" : " for this owner"));
        return Main.CHECK_FAILED;
      }
      History history = found.get();
      JsonNode json = format.history ? TurnJson.history(history)
          : format.itemsOnly ? history.items().toJsonNode()
          : TurnJson.turnWithSummary(history);
      out().println(TurnJson.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
      return 0;
    }
  }
}
