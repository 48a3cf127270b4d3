package io.convstate.server;

import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.StoreConfig;
import io.convstate.responses.Model;
import io.convstate.responses.Responses;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * Runs the reference server until the process is stopped:
 *
 * <pre>
 * java -jar server/target/convstate-server-all.jar [--host 127.0.0.1] [--port 8080] [--upstream-url URL]
 * </pre>
 *
 * The store comes from the {@code CONVSTATE_*} variables ({@link StateStores#openFromEnvironment};
 * the embedded memory store when none is set). The model is the {@link EchoModel}, or with
 * {@code --upstream-url} (or {@code UPSTREAM_RESPONSES_URL}) an {@link UpstreamModel} whose key is
 * {@code UPSTREAM_API_KEY} or else {@code OPENAI_API_KEY}. The first line printed names the URL,
 * the store and the model.
 */
public final class Main {

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (java.util.Arrays.asList(args).contains("--help")) {
      System.out.println("Usage: java -jar convstate-server-all.jar [--host 127.0.0.1] [--port 8080] [--upstream-url URL]");
      System.out.println("Store: CONVSTATE_TYPE, CONVSTATE_CONNECTION_STRING, ... (memory when unset).");
      System.out.println("Model: echo, or with --upstream-url (UPSTREAM_RESPONSES_URL) an OpenAI-compatible endpoint,");
      System.out.println("       its key in UPSTREAM_API_KEY or OPENAI_API_KEY.");
      return;
    }
    Map<String, String> environment = System.getenv();
    String host = option(args, "--host", "127.0.0.1");
    int port = Integer.parseInt(option(args, "--port", "8080"));
    String upstream = option(args, "--upstream-url", environment.get("UPSTREAM_RESPONSES_URL"));
    StateStore store = StateStores.openFromEnvironment();
    String storeType = StoreConfig.fromEnvironment(environment).type();
    ResponsesServer server = serve(store, storeType, host, port, model(upstream, environment),
        new PrintWriter(System.out, true));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      store.close();
    }, "convstate-server-shutdown"));
  }

  /**
   * Starts a server on {@code store} and prints its first line, e.g. {@code convstate Responses
   * server on http://127.0.0.1:8080/v1 (store: memory, model: echo)}.
   */
  public static ResponsesServer serve(StateStore store, String storeType, String host, int port, Model model,
      PrintWriter out) throws IOException {
    String provider = model instanceof EchoModel ? "echo" : "upstream";
    ResponsesServer server = ResponsesServer.start(new InetSocketAddress(host, port), new Responses(store, provider), model);
    out.println("convstate Responses server on " + server.baseUrl() + " (store: " + storeType
        + (storeType.equals(StoreConfig.DEFAULT_TYPE) ? ", embedded: lost on exit" : "") + ", model: " + model + ")");
    out.println("Try: curl " + server.baseUrl() + "/responses -H 'Authorization: Bearer any-key' "
        + "-H 'Content-Type: application/json' -d '{\"model\":\"echo\",\"input\":\"hello\"}'");
    out.flush();
    return server;
  }

  /** The echo model, or an upstream one when a URL is given (its key from the environment). */
  public static Model model(String upstreamUrl, Map<String, String> environment) {
    if (upstreamUrl == null || upstreamUrl.isBlank()) {
      return new EchoModel();
    }
    String key = environment.getOrDefault("UPSTREAM_API_KEY", environment.get("OPENAI_API_KEY"));
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("--upstream-url needs the upstream's key in UPSTREAM_API_KEY or OPENAI_API_KEY");
    }
    return new UpstreamModel(URI.create(upstreamUrl), key, Duration.ofMinutes(10));
  }

  private static String option(String[] args, String name, String absent) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return absent;
  }
}
