package io.convstate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.ConversationState;
import io.convstate.StateStore;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", mixinStandardHelpOptions = true,
    description = "Print a state as JSON. Exit 1 when there is none.")
final class GetCommand extends StoreCommand {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(paramLabel = "RESPONSE_ID", description = "The response id.")
  String responseId;

  @Option(names = "--items-only", description = "Print only the input_items array.")
  boolean itemsOnly;

  @Override
  public Integer call() throws Exception {
    try (StateStore states = store.open(environment())) {
      Optional<ConversationState> found = states.get(responseId);
      if (found.isEmpty()) {
        err().println("convstate: no state for response id '" + responseId + "'");
        return Main.CHECK_FAILED;
      }
      ConversationState state = found.get();
      ObjectNode json = JSON.createObjectNode()
          .put("response_id", state.responseId())
          .put("created_at", state.createdAt())
          .put("model", state.model())
          .put("provider", state.provider())
          .put("updated_at", state.updatedAt().map(Object::toString).orElse(null));
      json.set("input_items", state.items().toJsonNode());
      out().println(JSON.writerWithDefaultPrettyPrinter()
          .writeValueAsString(itemsOnly ? json.get("input_items") : json));
      return 0;
    }
  }
}
