package io.convstate.conformance;

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
 * A TCP proxy on a free loopback port in front of a server, whose connections the kit can cut: the
 * {@link StorageFaults} of any backend that talks TCP. While broken, it closes every open
 * connection and every new one at once (as a refused or reset connection); restored, it forwards
 * again. Thread-safe; close it when the test class is done.
 */
public final class FaultyProxy implements StorageFaults, AutoCloseable {

  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean broken;

  private FaultyProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "convstate-faulty-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a proxy forwarding to host:port. */
  public static FaultyProxy start(String host, int port) {
    try {
      return new FaultyProxy(host, port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The loopback port to connect to instead of the server's. */
  public int port() {
    return server.getLocalPort();
  }

  @Override
  public void breakStorage() {
    broken = true;
    for (Socket socket : open) {
      closeQuietly(socket);
    }
  }

  @Override
  public void restoreStorage() {
    broken = false;
  }

  @Override
  public void close() {
    broken = true;
    closeQuietly(server);
    for (Socket socket : open) {
      closeQuietly(socket);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return;
      }
      if (broken) {
        closeQuietly(client);
        continue;
      }
      try {
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
        open.add(client);
        open.add(upstream);
        pipe(client, upstream);
        pipe(upstream, client);
      } catch (IOException e) {
        closeQuietly(client);
      }
    }
  }

  private void pipe(Socket from, Socket to) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        for (int read = in.read(buffer); read >= 0 && !broken; read = in.read(buffer)) {
          out.write(buffer, 0, read);
          out.flush();
        }
      } catch (IOException e) {
        // the other side closed or the proxy cut the connection
      } finally {
        open.remove(from);
        open.remove(to);
        closeQuietly(from);
        closeQuietly(to);
      }
    }, "convstate-faulty-proxy-pipe");
    thread.setDaemon(true);
    thread.start();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // closing a socket that is already closed
    }
  }

  @Override
  public String toString() {
    return "FaultyProxy[127.0.0.1:" + port() + " -> " + targetHost + ":" + targetPort + (broken ? ", broken" : "") + "]";
  }
}
