package io.convstate.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.convstate.responses.ApiKeyOwner;
import io.convstate.responses.Model;
import io.convstate.responses.Reply;
import io.convstate.responses.Responses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The reference Responses server: the JDK's HTTP server in front of {@link Responses}. Every
 * request's owner is the SHA-256 of its API key ({@link ApiKeyOwner}); a request without a key is
 * answered 401. The glue is {@link #handle}: read the request, let the layer answer, write the reply.
 *
 * <p>Serves many requests at once (a pool of {@value #THREADS} threads). {@link #close()} stops it;
 * the store is the caller's to close.
 */
public final class ResponsesServer implements AutoCloseable {

  static final int THREADS = 64;

  private final HttpServer server;
  private final ExecutorService threads;
  private final Responses responses;
  private final Model model;

  private ResponsesServer(HttpServer server, Responses responses, Model model) {
    this.server = server;
    this.responses = responses;
    this.model = model;
    this.threads = Executors.newFixedThreadPool(THREADS);
    server.createContext("/", this::handle);
    server.setExecutor(threads);
  }

  /**
   * Starts a server.
   *
   * @param address where to listen; port 0 for any free port
   * @throws IOException when the address cannot be bound
   */
  public static ResponsesServer start(InetSocketAddress address, Responses responses, Model model) throws IOException {
    ResponsesServer started = new ResponsesServer(HttpServer.create(address, 0), responses, model);
    started.server.start();
    return started;
  }

  /** The base URL a client is given ({@code http://host:port/v1}), with the port actually bound. */
  public URI baseUrl() {
    InetSocketAddress address = server.getAddress();
    return URI.create("http://" + address.getHostString() + ":" + address.getPort() + "/v1");
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      Reply reply = ApiKeyOwner.fromAuthorization(exchange.getRequestHeaders().getFirst("Authorization"))
          .map(owner -> responses.handle(exchange.getRequestMethod(), exchange.getRequestURI(), owner, body, model))
          .orElseGet(ApiKeyOwner::missingKeyReply);
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
      // as OpenAI does; the SDKs show it as the response's _request_id
      exchange.getResponseHeaders().set("x-request-id", "req_" + UUID.randomUUID().toString().replace("-", ""));
      exchange.sendResponseHeaders(reply.status(), reply.isStream() ? 0 : reply.bytes().length);
      reply.writeTo(exchange.getResponseBody());
    }
  }

  /** Stops accepting requests, lets those in flight finish for up to a second, and stops. */
  @Override
  public void close() {
    server.stop(1);
    threads.shutdownNow();
  }

  @Override
  public String toString() {
    return "ResponsesServer[" + baseUrl() + "]";
  }
}
