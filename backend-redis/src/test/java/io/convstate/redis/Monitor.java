package io.convstate.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Redis's MONITOR on a plain socket: the commands clients sent, told apart from those a Lua script
 * ran ({@code [0 lua]}), so that a test counts round trips. Call {@link #commandsUntilMarker}
 * after the operation; it sends an ECHO marker on a second socket and returns what came before.
 */
final class Monitor implements AutoCloseable {

  private final String host;
  private final int port;
  private final Socket socket;
  private final List<String> lines = new ArrayList<>();

  Monitor(String host, int port) throws IOException {
    this.host = host;
    this.port = port;
    socket = new Socket(host, port);
    socket.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
    BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    if (!"+OK".equals(reader.readLine())) {
      throw new IllegalStateException("MONITOR was refused");
    }
    Thread thread = new Thread(() -> {
      try {
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
          synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
          }
        }
      } catch (IOException e) {
        // closed
      }
    }, "redis-monitor");
    thread.setDaemon(true);
    thread.start();
  }

  /** Forgets what was monitored so far (after a marker, so nothing earlier arrives later). */
  void reset() throws InterruptedException {
    commandsUntilMarker();
  }

  /** The commands clients sent since the last call, in order, lower case, without the markers. */
  List<String> commandsUntilMarker() throws InterruptedException {
    String marker = "marker-" + System.nanoTime();
    try (Socket other = new Socket(host, port)) {
      OutputStream out = other.getOutputStream();
      out.write(("*2\r\n$4\r\nECHO\r\n$" + marker.length() + "\r\n" + marker + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      other.getInputStream().read(new byte[64]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    synchronized (lines) {
      while (lines.stream().noneMatch(line -> line.contains(marker))) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("the MONITOR marker did not arrive");
        }
        lines.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
      }
      List<String> commands = new ArrayList<>();
      while (!lines.isEmpty()) {
        String line = lines.remove(0);
        if (line.contains(marker)) {
          break;
        }
        int client = line.indexOf(" [");
        int end = line.indexOf("] \"", client);
        if (client < 0 || end < 0 || line.substring(client, end).contains(" lua")) {
          continue;
        }
        int start = end + 3;
        commands.add(line.substring(start, line.indexOf('"', start)).toLowerCase(java.util.Locale.ROOT));
      }
      return commands;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
