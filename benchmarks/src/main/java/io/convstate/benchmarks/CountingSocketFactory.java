package io.convstate.benchmarks;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.atomic.LongAdder;
import javax.net.SocketFactory;

/**
 * A socket factory for pgjdbc ({@code socketFactory=} in the JDBC URL) that counts what every
 * connection of this JVM sends to and receives from PostgreSQL, protocol included, and how many
 * times the client flushed a message to the server (pgjdbc flushes once per round trip). The
 * scenario reads the counters before and after a phase in which nothing else talks to the server.
 * Thread-safe.
 */
public final class CountingSocketFactory extends SocketFactory {

  static final LongAdder SENT = new LongAdder();
  static final LongAdder RECEIVED = new LongAdder();
  static final LongAdder FLUSHES = new LongAdder();

  /** pgjdbc instantiates the factory by its name, with this constructor. */
  public CountingSocketFactory() {}

  /** Totals so far: {bytes sent, bytes received, flushes}. */
  static long[] totals() {
    return new long[] {SENT.sum(), RECEIVED.sum(), FLUSHES.sum()};
  }

  @Override
  public Socket createSocket() {
    return new CountingSocket();
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    Socket socket = new CountingSocket();
    socket.connect(new java.net.InetSocketAddress(host, port));
    return socket;
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    Socket socket = new CountingSocket();
    socket.bind(new java.net.InetSocketAddress(localHost, localPort));
    socket.connect(new java.net.InetSocketAddress(host, port));
    return socket;
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    Socket socket = new CountingSocket();
    socket.connect(new java.net.InetSocketAddress(host, port));
    return socket;
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
    Socket socket = new CountingSocket();
    socket.bind(new java.net.InetSocketAddress(localAddress, localPort));
    socket.connect(new java.net.InetSocketAddress(address, port));
    return socket;
  }

  /** A plain socket whose streams count. */
  private static final class CountingSocket extends Socket {
    private OutputStream out;
    private InputStream in;

    @Override
    public synchronized OutputStream getOutputStream() throws IOException {
      if (out == null) {
        out = new FilterOutputStream(super.getOutputStream()) {
          @Override
          public void write(int b) throws IOException {
            SENT.increment();
            super.out.write(b);
          }

          @Override
          public void write(byte[] bytes, int offset, int length) throws IOException {
            SENT.add(length);
            super.out.write(bytes, offset, length);
          }

          @Override
          public void flush() throws IOException {
            FLUSHES.increment();
            super.out.flush();
          }
        };
      }
      return out;
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
      if (in == null) {
        in = new FilterInputStream(super.getInputStream()) {
          @Override
          public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
              RECEIVED.increment();
            }
            return b;
          }

          @Override
          public int read(byte[] bytes, int offset, int length) throws IOException {
            int read = super.read(bytes, offset, length);
            if (read > 0) {
              RECEIVED.add(read);
            }
            return read;
          }
        };
      }
      return in;
    }
  }
}
