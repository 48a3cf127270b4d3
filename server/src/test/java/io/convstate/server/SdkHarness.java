package io.convstate.server;

import com.sun.net.httpserver.HttpServer;
import io.convstate.StateStores;
import io.convstate.StoreConfig;
import java.net.InetSocketAddress;

/**
 * The server the Node SDK suite drives (scripts/test-sdk): the reference server on the store the
 * {@code CONVSTATE_*} variables select, with the echo model, on a free loopback port; plus an admin
 * port whose {@code POST /outage/start} and {@code /outage/end} take the store down and back (for
 * the memory store, which has no process to stop). Prints {@code READY <base url> <admin url>}.
 */
public final class SdkHarness {

  private SdkHarness() {}

  public static void main(String[] args) throws Exception {
    OutageStore store = new OutageStore(StateStores.openFromEnvironment());
    String type = StoreConfig.fromEnvironment(System.getenv()).type();
    ResponsesServer server = Main.serve(store, type, "127.0.0.1", 0, new EchoModel(),
        new java.io.PrintWriter(System.err, true));
    HttpServer admin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    admin.createContext("/outage/", exchange -> {
      try (exchange) {
        store.down(exchange.getRequestURI().getPath().endsWith("/start"));
        exchange.sendResponseHeaders(204, -1);
      }
    });
    admin.start();
    System.out.println("READY " + server.baseUrl() + " http://127.0.0.1:" + admin.getAddress().getPort());
    System.out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      admin.stop(0);
      server.close();
      store.close();
    }));
  }
}
