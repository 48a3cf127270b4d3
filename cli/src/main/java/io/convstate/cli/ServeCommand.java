package io.convstate.cli;

import io.convstate.StateStore;
import io.convstate.responses.Model;
import io.convstate.server.ResponsesServer;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs the reference OpenAI Responses server (module {@code server}) on the configured store until
 * the process is stopped. Its first line names the URL and the store.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the reference OpenAI Responses server on the configured store (memory unless configured); "
        + "any OpenAI SDK can use it as its base URL.")
final class ServeCommand extends StoreCommand {

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8080", description = "Port to listen on; 0 for any free port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--upstream-url", paramLabel = "URL",
      description = "Forward to this OpenAI-compatible Responses endpoint (e.g. https://api.openai.com/v1) instead of "
          + "the built-in echo model; its key from UPSTREAM_API_KEY or OPENAI_API_KEY. Default: $UPSTREAM_RESPONSES_URL.")
  String upstreamUrl;

  @Override
  public Integer call() throws Exception {
    Model model = io.convstate.server.Main.model(
        upstreamUrl != null ? upstreamUrl : environment().get("UPSTREAM_RESPONSES_URL"), environment());
    String notice = store.memoryNotice(environment());
    if (notice != null) {
      out().println(notice);
    }
    StateStore states = store.openOrMemory(environment());
    ResponsesServer server;
    try {
      server = io.convstate.server.Main.serve(states, store.config(environment()).type(), host, port, model, out());
    } catch (IOException e) {
      states.close();
      throw new IllegalArgumentException("Cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      states.close();
      stopped.countDown();
    }, "convstate-serve-shutdown"));
    stopped.await();
    return 0;
  }
}
