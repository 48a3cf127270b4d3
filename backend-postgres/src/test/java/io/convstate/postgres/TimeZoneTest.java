package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.ConversationState;
import io.convstate.InputItems;
import io.convstate.StoreConfig;
import io.convstate.conformance.TestClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.TimeZone;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * updated_at is a point in time whatever the zones. pgjdbc sets each session's TimeZone from the
 * JVM's default zone when it connects, so the store opens its one connection under one zone (the
 * server session's) and then runs under another (the JVM's).
 */
@DisplayName("updated_at and cleanup are right in every time zone")
class TimeZoneTest {

  private static final String[] SESSION_ZONES = {"UTC", "Pacific/Kiritimati", "America/St_Johns"};
  private static final String[] JVM_ZONES = {"UTC", "Asia/Kathmandu", "America/Los_Angeles"};
  /** 02:30 UTC wall time falls in Los Angeles' spring-forward gap: a local-time conversion would shift it. */
  private static final Instant WRITTEN = Instant.parse("2026-03-08T02:30:00.123456Z");

  private static String table;

  @BeforeAll
  static void createTable() {
    table = TestDatabase.get().freshTable("time_zones");
  }

  static Stream<Arguments> zones() {
    return Stream.of(SESSION_ZONES).flatMap(session -> Stream.of(JVM_ZONES).map(jvm -> Arguments.of(session, jvm)));
  }

  @ParameterizedTest(name = "server session in {0}, JVM in {1}")
  @MethodSource("zones")
  void pointInTime(String sessionZone, String jvmZone) throws Exception {
    TimeZone original = TimeZone.getDefault();
    TestClock clock = new TestClock();
    clock.set(WRITTEN);
    String id = "resp_" + sessionZone + "_" + jvmZone;
    try {
      TimeZone.setDefault(TimeZone.getTimeZone(sessionZone));
      try (PostgresStateStore store = new PostgresStateStore(
          StoreConfig.of(TestDatabase.get().options(table, "pool.max_size", "1", "pool.min_idle", "1")), clock)) {
        store.exists("resp_warm_up"); // the one connection now exists, in the session zone
        TimeZone.setDefault(TimeZone.getTimeZone(jvmZone));

        store.put(ConversationState.of(id, InputItems.empty(), 1L, "m", "p"));
        assertThat(store.get(id).orElseThrow().updatedAt()).contains(WRITTEN);
        assertThat(rawUpdatedAt(id)).as("the column holds UTC wall-clock time").isEqualTo("2026-03-08 02:30:00.123456");

        assertThat(store.deleteUpdatedBefore(WRITTEN)).as("cleanup at the write's own instant").isZero();
        assertThat(store.deleteUpdatedBefore(WRITTEN.minus(Duration.ofHours(14)))).isZero();
        assertThat(store.exists(id)).isTrue();
        assertThat(store.deleteUpdatedBefore(WRITTEN.plusNanos(1_000))).isEqualTo(1);
        assertThat(store.exists(id)).isFalse();
      }
    } finally {
      TimeZone.setDefault(original);
    }
  }

  private static String rawUpdatedAt(String id) throws Exception {
    try (Connection connection = TestDatabase.get().admin(); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT updated_at::text FROM " + table + " WHERE response_id = '" + id + "'")) {
      row.next();
      return row.getString(1);
    }
  }
}
