package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.ConfigurationException;
import io.convstate.ConversationState;
import io.convstate.InputItems;
import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreConfig;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Opening a postgres store")
class PostgresSetupTest {

  private static final String SCHEMA = "setup_test";
  private static TestDatabase db;

  @BeforeAll
  static void schema() {
    db = TestDatabase.get();
    db.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "CREATE SCHEMA " + SCHEMA);
  }

  private static StateStore open(Map<String, String> options) {
    return StateStores.open(StoreConfig.of(options, Map.of()));
  }

  private static Map<String, String> with(Map<String, String> options, String... more) {
    Map<String, String> copy = new java.util.HashMap<>(options);
    for (int i = 0; i < more.length; i += 2) {
      copy.put(more[i], more[i + 1]);
    }
    return copy;
  }

  private static void roundTrip(StateStore store) {
    store.put(ConversationState.of("resp_setup", InputItems.parse("[{\"type\":\"message\",\"text\":\"hi\"}]"), 1L, "m", "p"));
    assertThat(store.get("resp_setup")).isPresent();
  }

  @Nested
  @DisplayName("the table")
  class Table {

    @Test
    @DisplayName("a missing table fails with the seed's message and how to create it")
    void missingTable() {
      assertThatThrownBy(() -> open(db.options(SCHEMA + ".absent")))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("Table '" + SCHEMA + ".absent' does not exist")
          .hasMessageContaining("conversation_states.sql")
          .hasMessageContaining("schema.create=true");
    }

    @Test
    @DisplayName("schema.create=true creates the table and its indexes, and opening again is fine")
    void createsTable() throws Exception {
      Map<String, String> options = db.options(SCHEMA + ".created", "schema.create", "true");
      try (StateStore store = open(options)) {
        roundTrip(store);
      }
      try (StateStore store = open(options)) {
        assertThat(store.exists("resp_setup")).isTrue();
      }
      try (var connection = db.admin(); var statement = connection.createStatement();
          var rows = statement.executeQuery("SELECT indexname FROM pg_indexes WHERE schemaname = '" + SCHEMA
              + "' AND tablename = 'created' ORDER BY indexname")) {
        java.util.List<String> indexes = new java.util.ArrayList<>();
        while (rows.next()) {
          indexes.add(rows.getString(1));
        }
        assertThat(indexes).containsExactly("created_pkey", "idx_created_created_at", "idx_created_provider", "idx_created_updated_at");
      }
    }

    @Test
    @DisplayName("the shipped scripts run twice without error, and the drop script removes the table")
    void scriptsAreIdempotent() {
      String table = SCHEMA + ".scripted";
      db.execute(Schema.createScript(table), Schema.createScript(table));
      try (StateStore store = open(db.options(table))) {
        roundTrip(store);
      }
      db.execute(Schema.dropScript(table), Schema.dropScript(table));
      assertThatThrownBy(() -> open(db.options(table))).hasMessageContaining("does not exist");
    }

    @Test
    @DisplayName("a table name that is not a plain identifier is refused before anything runs")
    void injection() {
      for (String table : new String[] {"states; DROP TABLE x", "a.b.c", "\"quoted\"", "1abc", "", "x".repeat(64)}) {
        assertThatThrownBy(() -> open(db.options(table)))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageContaining("Option 'table'");
      }
    }
  }

  @Nested
  @DisplayName("roles and privileges")
  class Roles {

    @Test
    @DisplayName("a role without DELETE and UPDATE is told which GRANT it needs")
    void missingPrivilege() {
      String table = db.freshTable(SCHEMA + "_grants");
      db.execute("DROP ROLE IF EXISTS convstate_reader", "CREATE ROLE convstate_reader LOGIN PASSWORD 'reader'",
          "GRANT USAGE ON SCHEMA " + SCHEMA + "_grants TO convstate_reader",
          "GRANT SELECT, INSERT ON " + table + " TO convstate_reader");
      assertThatThrownBy(() -> open(db.options(table, "connection_string", db.urlAs("convstate_reader", "reader"))))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("Role 'convstate_reader' lacks UPDATE, DELETE on table '" + table + "'")
          .hasMessageContaining("GRANT SELECT, INSERT, UPDATE, DELETE ON " + table + " TO convstate_reader;")
          .message().doesNotContain("reader@");
    }

    @Test
    @DisplayName("a password with #, @, %, + and : works percent-encoded in the URI and as the password option")
    void specialPassword() {
      String table = db.freshTable(SCHEMA + "_special");
      String password = "p#s@w%r+d:1";
      db.execute("DROP ROLE IF EXISTS convstate_special", "CREATE ROLE convstate_special LOGIN PASSWORD '" + password + "'",
          "GRANT USAGE ON SCHEMA " + SCHEMA + "_special TO convstate_special",
          "GRANT SELECT, INSERT, UPDATE, DELETE ON " + table + " TO convstate_special");
      try (StateStore store = open(db.options(table, "connection_string", db.urlAs("convstate_special", "p%23s%40w%25r+d%3A1")))) {
        roundTrip(store);
      }
      String withoutPassword = db.urlAs("convstate_special", "x").replace(":x@", "@");
      try (StateStore store = open(db.options(table, "connection_string", withoutPassword, "password", password))) {
        roundTrip(store);
      }
    }

    @Test
    @DisplayName("a wrong password fails as unavailable, naming the user but not the password")
    void wrongPassword() {
      String table = db.freshTable(SCHEMA + "_auth");
      assertThatThrownBy(() -> open(db.options(table, "connection_string", db.urlAs("postgres", "Wr0ngSecret"),
          "pool.connection_timeout", "2s")))
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("as user 'postgres'")
          .hasMessageContaining("password authentication failed")
          .message().doesNotContain("Wr0ngSecret");
    }
  }

  @Nested
  @DisplayName("unreachable servers")
  class Unreachable {

    @Test
    @DisplayName("a refused connection fails as unavailable, naming host and port but not the password")
    void refused() throws Exception {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      assertThatThrownBy(() -> new PostgresStateStore(StoreConfig.of(Map.of(
          "connection_string", "postgresql://app:T0pSecret@127.0.0.1:" + port + "/db",
          "pool.connection_timeout", "1s"), Map.of()), Clock.systemUTC()))
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("127.0.0.1:" + port)
          .hasMessageContaining("refused")
          .message().doesNotContain("T0pSecret");
    }

    @Test
    @DisplayName("an unknown host fails as unavailable, naming the host")
    void unknownHost() {
      assertThatThrownBy(() -> open(Map.of("type", "postgres",
          "connection_string", "postgresql://app:T0pSecret@no-such-host.invalid:5432/db", "pool.connection_timeout", "1s")))
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("no-such-host.invalid")
          .message().doesNotContain("T0pSecret");
    }

    @Test
    @DisplayName("a missing database fails as unavailable, naming the database")
    void missingDatabase() {
      assertThatThrownBy(() -> open(db.options(SCHEMA + ".x",
          "connection_string", db.url().replaceFirst("/[^/?]*$", "/no_such_db"), "pool.connection_timeout", "2s")))
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("no_such_db")
          .hasMessageContaining("database name");
    }
  }
}
