package io.convstate.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.ConversationState;
import io.convstate.StateStore;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "get", mixinStandardHelpOptions = true,
    description = "Print a state as JSON. Exit 1 when there is none.")
final class GetCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();

  @ParentCommand
  Main main;

  @Spec
  CommandSpec spec;

  @Mixin
  StoreOptions store;

  @Parameters(paramLabel = "RESPONSE_ID", description = "The response id.")
  String responseId;

  @Option(names = "--items-only", description = "Print only the input_items array.")
  boolean itemsOnly;

  @Override
  public Integer call() throws Exception {
    try (StateStore states = store.open(main.environment)) {
      Optional<ConversationState> found = states.get(responseId);
      if (found.isEmpty()) {
        spec.commandLine().getErr().println("convstate: no state for response id '" + responseId + "'");
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
      spec.commandLine().getOut().println(JSON.writerWithDefaultPrettyPrinter()
          .writeValueAsString(itemsOnly ? json.get("input_items") : json));
      return 0;
    }
  }
}
