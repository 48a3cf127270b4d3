package io.convstate.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The kit's groups on time: cleanup by a conversation's last activity, and exact instants in a
 * time zone with a half-hour offset and daylight saving. Part of {@link StateStoreCompatibilityKit};
 * extend the kit, not this class.
 */
public abstract class TimeGroups extends TurnLogGroups {

  @Nested
  @DisplayName("cleanup removes conversations inactive since a cutoff")
  class Cleanup {

    boolean supportsCleanup() {
      return TimeGroups.this.supportsCleanup();
    }

    @Test
    @EnabledIf("supportsCleanup")
    @DisplayName("conversations last active strictly before the cutoff go whole, the others stay, and removed turns are counted")
    void removesInactiveConversations() {
      chain("resp_old_1", "resp_old_2", "resp_old_3");
      store.record(turn("resp_old_1", "resp_old_fork").build());
      later(Duration.ofHours(2));
      chain("resp_new_1", "resp_new_2");
      Instant cutoff = clock.instant().minus(Duration.ofHours(1));
      assertThat(store.deleteInactiveBefore(cutoff)).isEqualTo(4);
      for (String id : List.of("resp_old_1", "resp_old_2", "resp_old_3", "resp_old_fork")) {
        assertAbsent(null, id);
      }
      assertThat(history("resp_new_2").size()).isEqualTo(2);
      assertThat(store.turn(null, "resp_new_1")).isPresent();
    }

    @Test
    @EnabledIf("supportsCleanup")
    @DisplayName("continuing a conversation keeps every turn of it alive, the oldest and other branches included")
    void continuingKeepsAncestors() {
      chain("resp_a", "resp_b");
      store.record(turn("resp_a", "resp_branch").build());
      later(Duration.ofDays(10));
      store.record(turn("resp_b", "resp_c").build());
      later(Duration.ofHours(1));
      assertThat(store.deleteInactiveBefore(clock.instant().minus(Duration.ofDays(1)))).isZero();
      assertThat(history("resp_c").responseIds()).containsExactly("resp_a", "resp_b", "resp_c");
      assertThat(store.turn(null, "resp_a")).isPresent();
      assertThat(store.turn(null, "resp_branch")).isPresent();
      assertThat(store.deleteInactiveBefore(clock.instant())).isEqualTo(4);
      assertAbsent(null, "resp_c");
      assertAbsent(null, "resp_branch");
    }

    @Test
    @EnabledIf("supportsCleanup")
    @DisplayName("the cutoff is strict to the millisecond: activity at the cutoff stays, one millisecond earlier goes")
    void strictCutoff() {
      clock.set(TestClock.START.plusMillis(500));
      first("resp_at");
      clock.set(TestClock.START.plusMillis(499));
      first("resp_before");
      clock.set(TestClock.START.plusSeconds(3600));
      assertThat(store.deleteInactiveBefore(TestClock.START.plusMillis(500))).isEqualTo(1);
      assertAbsent(null, "resp_before");
      assertThat(store.turn(null, "resp_at")).isPresent();
      assertThat(store.deleteInactiveBefore(TestClock.START.plusMillis(501))).isEqualTo(1);
      assertAbsent(null, "resp_at");
    }

    @Test
    @EnabledIf("supportsCleanup")
    @DisplayName("deleted turns are removed with their conversation and counted")
    void removesDeletedTurns() {
      chain("resp_a", "resp_b", "resp_c");
      store.delete(null, "resp_b");
      later(Duration.ofMinutes(1));
      assertThat(store.deleteInactiveBefore(clock.instant())).isEqualTo(3);
      assertAbsent(null, "resp_c");
      assertThat(store.deleteInactiveBefore(clock.instant())).isZero();
    }

    @Test
    @EnabledIf("supportsCleanup")
    @DisplayName("a delete is not activity: it does not keep a conversation alive")
    void deleteIsNotActivity() {
      chain("resp_a", "resp_b");
      later(Duration.ofHours(5));
      store.delete(null, "resp_a");
      assertThat(store.deleteInactiveBefore(clock.instant().minus(Duration.ofHours(1)))).isEqualTo(2);
      assertAbsent(null, "resp_b");
    }

    @Test
    @EnabledIf("supportsCleanup")
    @DisplayName("cleanup with nothing to delete returns zero, on an empty store too")
    void nothingToDelete() {
      assertThat(store.deleteInactiveBefore(clock.instant())).isZero();
      first("resp_1");
      assertThat(store.deleteInactiveBefore(clock.instant())).isZero();
      assertThat(store.deleteInactiveBefore(Instant.EPOCH)).isZero();
      assertThat(store.turn(null, "resp_1")).isPresent();
    }

    @Test
    @EnabledIf("supportsCleanup")
    @DisplayName("cleanup of 3,000 conversations removes and counts every turn, and none of them reads back")
    void thousands() {
      for (int i = 0; i < 3_000; i++) {
        if (i % 3 == 0) {
          chain("resp_" + i, "resp_" + i + "_next");
        } else {
          first("resp_" + i);
        }
      }
      later(Duration.ofMillis(1));
      first("resp_survivor");
      assertThat(store.deleteInactiveBefore(clock.instant())).isEqualTo(4_000);
      for (int i = 0; i < 3_000; i += 7) {
        assertThat(store.history(null, "resp_" + i)).as("resp_%d", i).isEmpty();
      }
      assertThat(store.history(null, "resp_2997_next")).isEmpty();
      assertThat(store.turn(null, "resp_survivor")).isPresent();
    }

    @Test
    @EnabledIf("supportsCleanup")
    @DisplayName("the clock moved back between writes does not make a later recording count as older")
    void clockOrder() {
      clock.set(TestClock.START.plus(Duration.ofDays(2)));
      first("resp_a");
      clock.set(TestClock.START);
      store.record(turn("resp_a", "resp_b").build());
      assertThat(store.deleteInactiveBefore(TestClock.START.plus(Duration.ofDays(1)))).isZero();
      assertThat(history("resp_b").size()).isEqualTo(2);
    }
  }

  @Nested
  @DisplayName("in a half-hour-offset time zone with daylight saving, times stay exact")
  class OtherZone {

    private TimeZone saved;

    @BeforeEach
    void moveToNewfoundland() {
      saved = TimeZone.getDefault();
      TimeZone.setDefault(TimeZone.getTimeZone("America/St_Johns"));
      store.close();
      store = createStore(clock);
    }

    @AfterEach
    void restoreZone() {
      TimeZone.setDefault(saved);
    }

    @Test
    @DisplayName("a turn recorded in the hour that does not exist locally (the spring-forward gap) keeps its exact instant")
    void springForwardGap() {
      Instant inGap = Instant.parse("2026-03-08T05:45:00.250Z"); // 02:15:00.250 local does not exist
      clock.set(inGap);
      first("resp_gap");
      assertThat(store.turn(null, "resp_gap").orElseThrow().recordedAt()).contains(inGap);
      clock.set(inGap.plus(Duration.ofHours(3)));
      assertThat(store.turn(null, "resp_gap").orElseThrow().recordedAt()).contains(inGap);
    }

    @Test
    @DisplayName("in the hour that happens twice locally (fall back), cleanup tells the two apart to the millisecond")
    void fallBackHour() {
      Instant first = Instant.parse("2026-11-01T04:40:00Z");  // 01:10 local, the first time
      Instant second = Instant.parse("2026-11-01T05:20:00Z"); // 01:50 local, the second time: later, although it reads earlier
      clock.set(first);
      first("resp_first");
      clock.set(second);
      first("resp_second");
      clock.set(second.plus(Duration.ofDays(1)));
      assertThat(store.deleteInactiveBefore(first.plusMillis(1))).isEqualTo(1);
      assertAbsent(null, "resp_first");
      assertThat(store.turn(null, "resp_second").orElseThrow().recordedAt()).contains(second);
      assertThat(store.deleteInactiveBefore(second)).isZero();
      assertThat(store.deleteInactiveBefore(second.plusMillis(1))).isEqualTo(1);
    }
  }
}
