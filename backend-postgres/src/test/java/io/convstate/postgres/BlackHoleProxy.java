package io.convstate.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a free loopback port that can turn into a black hole: while {@link #swallow()} is
 * on, it accepts connections and holds the bytes it is sent without forwarding them or closing
 * anything (a frozen server, a silent network partition); after {@link #release()} it forwards
 * again, the held bytes included. Thread-safe; close it when done.
 */
final class BlackHoleProxy implements AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Object gate = new Object();
  private volatile boolean swallowing;

  private BlackHoleProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "black-hole-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  static BlackHoleProxy start(String host, int port) {
    try {
      return new BlackHoleProxy(host, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return server.getLocalPort();
  }

  /** Stops forwarding in both directions; every connection stays open. */
  void swallow() {
    swallowing = true;
  }

  /** Forwards again. */
  void release() {
    synchronized (gate) {
      swallowing = false;
      gate.notifyAll();
    }
  }

  @Override
  public void close() {
    release();
    closeQuietly(server);
    open.forEach(BlackHoleProxy::closeQuietly);
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        // A black hole completes the TCP handshake but never answers: connect upstream only later.
        Thread starter = new Thread(() -> connect(client), "black-hole-proxy-connect");
        starter.setDaemon(true);
        starter.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void connect(Socket client) {
    open.add(client);
    try {
      awaitForwarding();
      Socket upstream = new Socket();
      upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
      open.add(upstream);
      pipe(client, upstream);
      pipe(upstream, client);
    } catch (IOException | InterruptedException e) {
      closeQuietly(client);
    }
  }

  private void awaitForwarding() throws InterruptedException {
    synchronized (gate) {
      while (swallowing) {
        gate.wait();
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        while (true) {
          awaitForwarding();
          int read = in.read(buffer);
          if (read < 0) {
            break;
          }
          awaitForwarding(); // bytes read as the hole opened are held, not delivered
          out.write(buffer, 0, read);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // one side closed
      } finally {
        open.remove(from);
        open.remove(to);
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "black-hole-proxy-pipe");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // already closed
    }
  }
}
