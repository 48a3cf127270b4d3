import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.convstate.ConvStateException;
import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.responses.ApiKeyOwner;
import io.convstate.responses.Model;
import io.convstate.responses.Reply;
import io.convstate.responses.Responses;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;

public final class ResponsesHost {

  public static void main(String[] args) throws Exception {
    StateStore store;
    try {
      store = StateStores.openFromEnvironment(); // CONVSTATE_TYPE=postgres, ...; memory when unset
    } catch (ConvStateException e) { // bad configuration or database unreachable: do not start
      System.err.println("Cannot open the conversation store: " + e.getMessage());
      System.exit(1);
      return;
    }
    Responses responses = new Responses(store, "my-provider");
    Model model = ResponsesHost::callMyModel;
    HttpServer server = HttpServer.create(new InetSocketAddress(Integer.getInteger("port", 8080)), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        byte[] body = exchange.getRequestBody().readAllBytes();
        Reply reply = ApiKeyOwner.fromAuthorization(exchange.getRequestHeaders().getFirst("Authorization"))
            .map(owner -> responses.handle(exchange.getRequestMethod(), exchange.getRequestURI(), owner, body, model))
            .orElseGet(ApiKeyOwner::missingKeyReply);
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        exchange.sendResponseHeaders(reply.status(), reply.isStream() ? 0 : reply.bytes().length);
        reply.writeTo(exchange.getResponseBody());
      }
    });
    server.setExecutor(Executors.newFixedThreadPool(32));
    server.start();
  }

  /** Your model: an OpenAI Responses request (the whole history as input) in, a response object out. */
  static ObjectNode callMyModel(ObjectNode request) {
    ObjectNode answer = request.objectNode();
    answer.putArray("output").addObject().put("type", "message").put("role", "assistant")
        .putArray("content").addObject().put("type", "output_text").put("text", "Hello from my model");
    return answer;
  }
}
