package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.convstate.InputItems;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import io.convstate.spi.Invalidation;
import io.convstate.spi.InvalidationSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The postgres store tells other instances of deletes and cleanups through LISTEN/NOTIFY")
class CrossInstanceNotifyTest {

  private static String table;

  private static synchronized String table() {
    if (table == null) {
      table = TestDatabase.get().freshTable("notify_cross");
    }
    return table;
  }

  @BeforeEach
  void empty() {
    TestDatabase.get().truncate(table(), Layout.TURNS);
  }

  @Nested
  @DisplayName("payloads")
  class Payloads {

    @Test
    @DisplayName("a delete, a cleanup and 'everything' are read back; an unknown payload is ignored")
    void parsed() {
      assertThat(NotifyChannel.parse("d:resp_a:b").responseIds()).containsExactly("resp_a:b");
      assertThat(NotifyChannel.parse("c:2026-01-01T00:00:00Z").inactiveBefore()).contains(Instant.parse("2026-01-01T00:00:00Z"));
      assertThat(NotifyChannel.parse("*").isEverything()).isTrue();
      assertThat(NotifyChannel.parse("c:not a time").isEverything()).isTrue();
      assertThat(NotifyChannel.parse("x:future")).isNull();
    }

    @Test
    @DisplayName("the channel is named after the table and stays within PostgreSQL's 63-byte identifiers")
    void channelNames() {
      assertThat(NotifyChannel.channelOf(TableName.parse("app.states"))).isEqualTo("convstate:app.states");
      String longName = "s".repeat(40) + "." + "t".repeat(40);
      assertThat(NotifyChannel.channelOf(TableName.parse(longName)).getBytes(java.nio.charset.StandardCharsets.UTF_8))
          .hasSizeLessThanOrEqualTo(63);
    }
  }

  @Nested
  @DisplayName("on a direct connection")
  class Direct {

    @Test
    @DisplayName("a subscriber on one store hears another store's delete by id and its cleanup by cutoff")
    void hearsDeleteAndCleanup() throws InterruptedException {
      try (PostgresStateStore writer = open(direct()); PostgresStateStore reader = open(direct())) {
        BlockingQueue<Invalidation> heard = subscribe(reader);
        writer.record(turn("resp_n1"));
        assertThat(writer.delete(null, "resp_n1")).isTrue();
        assertThat(next(heard).responseIds()).containsExactly("resp_n1");
        Instant cutoff = Instant.now().plusSeconds(60);
        assertThat(writer.deleteInactiveBefore(cutoff)).isEqualTo(1);
        assertThat(next(heard).inactiveBefore()).contains(cutoff);
      }
    }
  }

  @Nested
  @DisplayName("behind a transaction pooler")
  class TransactionPooler {

    @Test
    @DisplayName("without notify.connection_string nothing is delivered (caches fall back to expiry), and calls still work")
    void fallsBackToExpiry() throws InterruptedException {
      try (PostgresStateStore store = open(pooled())) {
        BlockingQueue<Invalidation> heard = new LinkedBlockingQueue<>();
        store.subscribe(heard::add);
        store.record(turn("resp_p1"));
        assertThat(store.delete(null, "resp_p1")).isTrue();
        assertThat(heard.poll(1, TimeUnit.SECONDS)).isNull();
      }
    }

    @Test
    @DisplayName("with notify.connection_string set to a direct URL, a delete made through the pooler is heard")
    void listensOnTheDirectUrl() throws InterruptedException {
      Map<String, String> options = pooled();
      options.put("notify.connection_string", TestDatabase.get().url());
      try (PostgresStateStore writer = open(pooled()); PostgresStateStore reader = open(options)) {
        BlockingQueue<Invalidation> heard = subscribe(reader);
        writer.record(turn("resp_p2"));
        assertThat(writer.delete(null, "resp_p2")).isTrue();
        assertThat(next(heard).responseIds()).containsExactly("resp_p2");
      }
    }
  }

  /** Subscribes and waits for the listener's first "everything", which says it is listening. */
  private static BlockingQueue<Invalidation> subscribe(InvalidationSource source) throws InterruptedException {
    BlockingQueue<Invalidation> heard = new LinkedBlockingQueue<>();
    source.subscribe(heard::add);
    assertThat(next(heard).isEverything()).isTrue();
    return heard;
  }

  private static Invalidation next(BlockingQueue<Invalidation> heard) throws InterruptedException {
    Invalidation invalidation = heard.poll(5, TimeUnit.SECONDS);
    assertThat(invalidation).as("an invalidation within 5 s").isNotNull();
    return invalidation;
  }

  private static PostgresStateStore open(Map<String, String> options) {
    return new PostgresStateStore(StoreConfig.of(options), Clock.systemUTC());
  }

  private static Map<String, String> direct() {
    return TestDatabase.get().options(table());
  }

  private static Map<String, String> pooled() {
    return TestDatabase.get().options(table(), "connection_string", TestDatabase.pgbouncerUrl(), "pooler", "transaction");
  }

  private static Turn turn(String id) {
    return Turn.builder(id)
        .input(InputItems.parse("[{\"type\":\"message\",\"role\":\"user\",\"content\":\"" + id + "\"}]"))
        .output(InputItems.parse("[{\"type\":\"message\",\"role\":\"assistant\",\"content\":\"ok\"}]"))
        .model("gpt-4o")
        .provider("openai")
        .createdAt(1_767_225_600L)
        .build();
  }
}
