package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.convstate.ConfigurationException;
import io.convstate.InputItems;
import io.convstate.ItemQuery;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.spi.InvalidationSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Runs in its own JVM (surefire execution {@code passwords-in-trace-logs}) with convstate and
 * HikariCP logging at TRACE through slf4j-simple; pgjdbc logs through java.util.logging, set to
 * FINEST here. Its output is kept in {@code target/surefire-reports}, out of the build log.
 */
@DisplayName("Passwords in logs")
class PasswordsInLogsTest {

  private static final String ROLE = "convstate_log_scan";
  private static final String PASSWORD = "Zq7#kV@x:9%pL";

  @Test
  @DisplayName("no line convstate, HikariCP or pgjdbc logs at their most verbose holds the password: open, calls, listen, a wrong password, dropped connections, close")
  void noLogLineHoldsThePassword() throws Exception {
    TestDatabase db = TestDatabase.get();
    String table = db.freshTable("log_scan");
    db.execute("DROP ROLE IF EXISTS " + ROLE, "CREATE ROLE " + ROLE + " LOGIN PASSWORD '" + PASSWORD + "'",
        "GRANT USAGE ON SCHEMA log_scan TO " + ROLE,
        "GRANT SELECT, INSERT, UPDATE, DELETE ON " + table + ", " + table + "_conversations TO " + ROLE);
    String url = db.urlAs(ROLE, URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8));

    Logger driverLog = Logger.getLogger("org.postgresql");
    List<LogRecord> driverRecords = new CopyOnWriteArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord record) {
        driverRecords.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    handler.setLevel(Level.ALL);
    driverLog.setLevel(Level.FINEST);
    driverLog.addHandler(handler);
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    PrintStream originalOut = System.out;
    PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
    System.setErr(tee);
    System.setOut(tee);
    Throwable refused;
    try {
      refused = catchThrowable(() -> open(db.options(table, "connection_string", url.replace("Zq7", "Wr0"))));
      try (PostgresStateStore store = open(db.options(table, "connection_string", url));
          InvalidationSource.Subscription listening = store.subscribe(invalidation -> {})) {
        store.record(turn("resp_log_1", null));
        store.record(turn("resp_log_2", "resp_log_1"));
        assertThat(store.history("o", "resp_log_2")).isPresent();
        assertThat(store.inputItems("o", "resp_log_2", ItemQuery.of(null, null, 10, ItemQuery.Order.ASC))).isPresent();
        db.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + ROLE + "'");
        recordUntilServed(store, turn("resp_log_3", "resp_log_2"));
        store.delete("o", "resp_log_1");
        store.deleteInactiveBefore(Instant.now().plusSeconds(3600));
      }
    } finally {
      System.setErr(originalErr);
      System.setOut(originalOut);
      driverLog.removeHandler(handler);
      driverLog.setLevel(null);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    SimpleFormatter formatter = new SimpleFormatter();
    StringBuilder driverOutput = new StringBuilder();
    driverRecords.forEach(record -> driverOutput.append(formatter.format(record)));
    originalErr.print(output + driverOutput); // to target/surefire-reports (redirectTestOutputToFile)

    assertThat(refused).as("the wrong password").isInstanceOf(ConfigurationException.class);
    assertThat(output).as("convstate's and HikariCP's log").contains("HikariPool").contains("DEBUG");
    assertThat(driverRecords).as("pgjdbc's log").isNotEmpty();
    for (String text : List.of(output, driverOutput.toString(), String.valueOf(refused))) {
      for (String part : parts(PASSWORD)) {
        assertThat(text).as("logged text must not hold '%s' of the password", part).doesNotContain(part);
      }
    }
  }

  private static PostgresStateStore open(Map<String, String> options) {
    return new PostgresStateStore(StoreConfig.of(options), Clock.systemUTC());
  }

  private static Turn turn(String id, String previous) {
    return Turn.builder(id).previousResponseId(previous)
        .input(InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":\"hi\"}]"))
        .owner("o").model("m").provider("p").createdAt(System.currentTimeMillis()).build();
  }

  /** Records once the pool has replaced the connections the server dropped (within 10 s). */
  private static void recordUntilServed(PostgresStateStore store, Turn turn) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      try {
        store.record(turn);
        return;
      } catch (StorageUnavailableException e) {
        assertThat(System.nanoTime()).as("served again within 10 s").isLessThan(deadline);
        Thread.sleep(50);
      }
    }
  }

  /** The password as written and percent-encoded, and every part of 5 characters or more. */
  private static List<String> parts(String password) {
    List<String> parts = new java.util.ArrayList<>();
    for (String whole : List.of(password, URLEncoder.encode(password, StandardCharsets.UTF_8))) {
      for (int length = 5; length <= whole.length(); length++) {
        for (int start = 0; start + length <= whole.length(); start++) {
          parts.add(whole.substring(start, start + length));
        }
      }
    }
    return parts;
  }
}
