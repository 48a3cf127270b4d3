package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.conformance.TestClock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.TimeZone;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * recorded_at (and a conversation's activity) is a point in time whatever the zones, on both layouts. pgjdbc sets each session's TimeZone from the
 * JVM's default zone when it connects, so the store opens its one connection under one zone (the
 * server session's) and then runs under another (the JVM's).
 */
@DisplayName("recorded_at and cleanup are right in every time zone, on both layouts")
class TimeZoneTest {

  private static final String[] SESSION_ZONES = {"UTC", "Pacific/Kiritimati", "America/St_Johns"};
  private static final String[] JVM_ZONES = {"UTC", "Asia/Kathmandu", "America/Los_Angeles"};
  /** 02:30 UTC wall time falls in Los Angeles' spring-forward gap: a local-time conversion would shift it. */
  private static final Instant WRITTEN = Instant.parse("2026-03-08T02:30:00.123456Z");

  private static final Map<Layout, String> TABLES = new EnumMap<>(Layout.class);

  @BeforeAll
  static void createTables() {
    TABLES.put(Layout.TURNS, TestDatabase.get().freshTable("time_zones", Layout.TURNS));
    TABLES.put(Layout.CONVERSATION_STATES, TestDatabase.get().freshTable("time_zones_seed", Layout.CONVERSATION_STATES));
  }

  static Stream<Arguments> zones() {
    return Stream.of(Layout.values()).flatMap(layout -> Stream.of(SESSION_ZONES)
        .flatMap(session -> Stream.of(JVM_ZONES).map(jvm -> Arguments.of(layout, session, jvm))));
  }

  @ParameterizedTest(name = "layout {0}, server session in {1}, JVM in {2}")
  @MethodSource("zones")
  void pointInTime(Layout layout, String sessionZone, String jvmZone) throws Exception {
    String table = TABLES.get(layout);
    TimeZone original = TimeZone.getDefault();
    TestClock clock = new TestClock();
    clock.set(WRITTEN);
    String id = "resp_" + sessionZone + "_" + jvmZone;
    try {
      TimeZone.setDefault(TimeZone.getTimeZone(sessionZone));
      try (PostgresStateStore store = new PostgresStateStore(StoreConfig.of(TestDatabase.get().options(table,
          "layout", layout.optionValue(), "pool.max_size", "1", "pool.min_idle", "1")), clock)) {
        store.turn(null, "resp_warm_up"); // the one connection now exists, in the session zone
        TimeZone.setDefault(TimeZone.getTimeZone(jvmZone));

        store.record(Turn.builder(id).model("m").provider("p").createdAt(1L).build());
        assertThat(store.turn(null, id).orElseThrow().recordedAt()).contains(WRITTEN);
        assertThat(store.history(null, id).orElseThrow().last().recordedAt()).contains(WRITTEN);
        assertThat(rawTime(layout, table, id)).as("the column holds UTC wall-clock time").isEqualTo("2026-03-08 02:30:00.123456");

        assertThat(store.deleteInactiveBefore(WRITTEN)).as("cleanup at the write's own instant").isZero();
        assertThat(store.deleteInactiveBefore(WRITTEN.minus(Duration.ofHours(14)))).isZero();
        assertThat(store.turn(null, id)).isPresent();
        assertThat(store.deleteInactiveBefore(WRITTEN.plusNanos(1))).as("a cutoff one nanosecond later").isEqualTo(1);
        assertThat(store.turn(null, id)).isEmpty();
      }
    } finally {
      TimeZone.setDefault(original);
    }
  }

  private static String rawTime(Layout layout, String table, String id) throws Exception {
    String column = layout == Layout.TURNS ? "recorded_at" : "updated_at";
    try (Connection connection = TestDatabase.get().admin(); Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery("SELECT " + column + "::text FROM " + table + " WHERE response_id = '" + id + "'")) {
      row.next();
      return row.getString(1);
    }
  }
}
