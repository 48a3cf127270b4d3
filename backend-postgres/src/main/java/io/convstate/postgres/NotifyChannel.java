package io.convstate.postgres;

import io.convstate.spi.Invalidation;
import io.convstate.spi.InvalidationSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cross-instance invalidation for one table over PostgreSQL {@code LISTEN/NOTIFY}.
 *
 * <p><b>Sending</b> ({@link #notifyDeleted}, {@link #notifyCleanup}): {@code pg_notify} on the
 * caller's connection right after the change committed, so no instance hears of it early. Works
 * through any pooler. Payload {@code d:<response id>} or {@code c:<cutoff instant>}, far below the
 * 8000-byte limit (an id too long for it is sent as {@code *}: everything).
 *
 * <p><b>Receiving</b> (on the first {@link #subscribe}): one daemon thread holds a dedicated
 * connection outside the pool, opened straight on the server (a transaction pooler cannot carry
 * {@code LISTEN}: its sessions are not ours), polls for notifications every 250 ms and checks the
 * connection every 15 s. After it (re)connects it delivers {@link Invalidation#everything()}, since
 * notifications sent meanwhile are lost. A failure is logged once per outage, not per attempt.
 * When there is no direct server to listen on ({@code pooler=transaction} or a host DataSource
 * without {@code notify.connection_string}) it logs once that caches fall back to expiry.
 *
 * <p>Thread-safe.
 */
final class NotifyChannel implements InvalidationSource {

  private static final Logger LOG = LoggerFactory.getLogger(NotifyChannel.class);
  /** PostgreSQL's NOTIFY payload limit is 8000 bytes; stay well below it. */
  private static final int MAX_PAYLOAD_BYTES = 7_900;
  private static final int MAX_CHANNEL_BYTES = 63;
  private static final int POLL_MILLIS = 250;
  private static final long CHECK_NANOS = Duration.ofSeconds(15).toNanos();
  private static final long MAX_BACKOFF_MILLIS = 5_000;

  private static final String NOTIFY = "SELECT pg_notify(?, ?)";

  private final String channel;
  private final TableName table;
  /** Where to LISTEN; null when there is no direct server (the reason is in {@link #unavailable}). */
  private final ConnectionSettings listenOn;
  private final String unavailable;
  private final List<Consumer<Invalidation>> listeners = new CopyOnWriteArrayList<>();
  private boolean started;
  private volatile boolean stopped;

  /**
   * @param listenOn the server to LISTEN on, or null when there is none
   * @param unavailable why there is none, for the log; null when {@code listenOn} is set
   */
  NotifyChannel(TableName table, ConnectionSettings listenOn, String unavailable) {
    this.table = Objects.requireNonNull(table, "table");
    this.channel = channelOf(table);
    this.listenOn = listenOn;
    this.unavailable = unavailable;
  }

  /** The channel of a table: {@code convstate:<table>}, shortened with a hash past 63 bytes. */
  static String channelOf(TableName table) {
    String channel = "convstate:" + table;
    if (channel.getBytes(StandardCharsets.UTF_8).length <= MAX_CHANNEL_BYTES) {
      return channel;
    }
    return "convstate:" + Integer.toHexString(channel.hashCode()) + ":" + table.table().substring(0, Math.min(20, table.table().length()));
  }

  /** Tells listeners of every instance that {@code responseId} was deleted. */
  void notifyDeleted(Connection connection, String responseId) throws SQLException {
    String payload = "d:" + responseId;
    send(connection, payload.getBytes(StandardCharsets.UTF_8).length <= MAX_PAYLOAD_BYTES ? payload : "*");
  }

  /** Tells listeners of every instance that a cleanup to {@code cutoff} ran (or partly ran). */
  void notifyCleanup(Connection connection, Instant cutoff) throws SQLException {
    send(connection, "c:" + cutoff);
  }

  private void send(Connection connection, String payload) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(NOTIFY)) {
      statement.setString(1, channel);
      statement.setString(2, payload);
      statement.execute();
    }
  }

  @Override
  public synchronized Subscription subscribe(Consumer<Invalidation> listener) {
    Objects.requireNonNull(listener, "listener");
    if (stopped) {
      return () -> { };
    }
    listeners.add(listener);
    if (!started) {
      started = true;
      if (listenOn == null) {
        LOG.warn("Cross-instance cache invalidation for table {} is off ({}); near caches fall back to their expiry",
            table, unavailable);
      } else {
        Thread thread = new Thread(this::listen, "convstate-postgres-listen-" + table);
        thread.setDaemon(true);
        thread.start();
      }
    }
    return () -> listeners.remove(listener);
  }

  /**
   * Stops listening: the thread closes its connection and ends within one poll interval (not
   * awaited, so closing a store stays fast); nothing is delivered after this returns.
   */
  void close() {
    stopped = true;
    listeners.clear();
  }

  private void listen() {
    boolean failing = false;
    long backoff = 100;
    while (!stopped) {
      try (Connection connection = connect()) {
        try (Statement statement = connection.createStatement()) {
          statement.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
        }
        if (failing) {
          LOG.info("Receiving cache invalidations for table {} again", table);
          failing = false;
        }
        backoff = 100;
        deliver(Invalidation.everything()); // whatever was sent before LISTEN took effect is lost
        receive(connection);
      } catch (SQLException | RuntimeException e) {
        if (stopped) {
          return;
        }
        if (!failing) {
          failing = true;
          LOG.warn("Cannot receive cache invalidations for table {} ({}); near caches fall back to their expiry"
              + " until it reconnects: {}", table, listenOn.description(), listenOn.redact(String.valueOf(e.getMessage())));
        }
        pause(backoff);
        backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
      }
    }
  }

  private void receive(Connection connection) throws SQLException {
    PGConnection pg = connection.unwrap(PGConnection.class);
    long checked = System.nanoTime();
    while (!stopped) {
      PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
      if (notifications != null) {
        for (PGNotification notification : notifications) {
          Invalidation invalidation = parse(notification.getParameter());
          if (invalidation != null) {
            deliver(invalidation);
          }
        }
      }
      if (System.nanoTime() - checked > CHECK_NANOS) {
        try (Statement statement = connection.createStatement()) {
          statement.execute("SELECT 1"); // a dead connection fails here, not silently
        }
        checked = System.nanoTime();
      }
    }
  }

  /** The invalidation a payload names; null for one this version does not know (ignored). */
  static Invalidation parse(String payload) {
    if (payload == null) {
      return null;
    }
    if (payload.startsWith("d:")) {
      return Invalidation.responses(Set.of(payload.substring(2)));
    }
    if (payload.startsWith("c:")) {
      try {
        return Invalidation.inactiveBefore(Instant.parse(payload.substring(2)));
      } catch (DateTimeParseException e) {
        return Invalidation.everything();
      }
    }
    return payload.equals("*") ? Invalidation.everything() : null;
  }

  private void deliver(Invalidation invalidation) {
    for (Consumer<Invalidation> listener : listeners) {
      try {
        listener.accept(invalidation);
      } catch (RuntimeException e) {
        LOG.warn("A cache invalidation listener failed on {}", invalidation, e);
      }
    }
  }

  private Connection connect() throws SQLException {
    Properties properties = listenOn.properties();
    properties.setProperty("ApplicationName", "convstate-listen");
    properties.setProperty("tcpKeepAlive", "true");
    properties.setProperty("socketTimeout", "30");
    properties.setProperty("connectTimeout", "10");
    if (listenOn.user() != null) {
      properties.setProperty("user", listenOn.user());
    }
    if (listenOn.password() != null) {
      properties.setProperty("password", listenOn.password());
    }
    Connection connection = new org.postgresql.Driver().connect(listenOn.jdbcUrl(), properties);
    if (connection == null) {
      throw new SQLException("pgjdbc did not accept the URL");
    }
    return connection;
  }

  private void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopped = true;
    }
  }
}
