package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.ConfigurationException;
import io.convstate.InputItems;
import io.convstate.StateStore;
import io.convstate.StateStores;
import io.convstate.StorageUnavailableException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("Opening a postgres store")
class PostgresSetupTest {

  private static final String SCHEMA = "setup_test";
  /** The seed's DDL as convstate 0.1 and plano shipped it, without the columns 0.2 adds. */
  private static final String SEED_0_1_DDL = "CREATE TABLE %s (response_id TEXT PRIMARY KEY, input_items JSONB NOT NULL,"
      + " created_at BIGINT NOT NULL, model TEXT NOT NULL, provider TEXT NOT NULL, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP)";

  private static TestDatabase db;

  @BeforeAll
  static void schema() {
    db = TestDatabase.get();
    db.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE", "CREATE SCHEMA " + SCHEMA);
  }

  private static StateStore open(Map<String, String> options) {
    return StateStores.open(StoreConfig.of(options, Map.of()));
  }

  private static Map<String, String> seed(Map<String, String> options) {
    Map<String, String> copy = new HashMap<>(options);
    copy.put("layout", "conversation_states");
    return copy;
  }

  private static void roundTrip(StateStore store) {
    store.record(Turn.builder("resp_setup").input(InputItems.parse("[{\"type\":\"message\",\"text\":\"hi\"}]"))
        .model("m").provider("p").createdAt(1L).build());
    assertThat(store.turn(null, "resp_setup")).isPresent();
  }

  private static List<String> indexes(String table) throws Exception {
    List<String> indexes = new ArrayList<>();
    try (Connection connection = db.admin(); Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT indexname FROM pg_indexes WHERE schemaname = '" + SCHEMA
            + "' AND tablename = '" + table + "' ORDER BY indexname")) {
      while (rows.next()) {
        indexes.add(rows.getString(1));
      }
    }
    return indexes;
  }

  @Nested
  @DisplayName("the tables")
  class Tables {

    @Test
    @DisplayName("a missing turns table fails with the seed's message and how to create it")
    void missingTurnsTable() {
      assertThatThrownBy(() -> open(db.options(SCHEMA + ".absent")))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("Table '" + SCHEMA + ".absent' does not exist")
          .hasMessageContaining("conversation_turns.sql")
          .hasMessageContaining("convstate migrate")
          .hasMessageContaining("schema.create=true");
    }

    @Test
    @DisplayName("a missing conversation_states table fails with the seed's message and its script")
    void missingSeedTable() {
      assertThatThrownBy(() -> open(seed(db.options(SCHEMA + ".absent"))))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("Table '" + SCHEMA + ".absent' does not exist")
          .hasMessageContaining("conversation_states.sql")
          .hasMessageContaining("schema.create=true");
    }

    @Test
    @DisplayName("schema.create=true creates the turns table, its conversations table and their indexes; opening again is fine")
    void createsTurnTables() throws Exception {
      Map<String, String> options = db.options(SCHEMA + ".created", "schema.create", "true");
      try (StateStore store = open(options)) {
        roundTrip(store);
      }
      try (StateStore store = open(options)) {
        assertThat(store.turn(null, "resp_setup")).isPresent();
      }
      assertThat(indexes("created")).containsExactly("created_pkey", "idx_created_conversation_id");
      assertThat(indexes("created_conversations"))
          .containsExactly("created_conversations_pkey", "idx_created_conversations_last_activity");
    }

    @Test
    @DisplayName("schema.create=true creates a conversation_states table with the seed's indexes and the cleanup index")
    void createsSeedTable() throws Exception {
      Map<String, String> options = seed(db.options(SCHEMA + ".created_seed", "schema.create", "true"));
      try (StateStore store = open(options)) {
        roundTrip(store);
      }
      try (StateStore store = open(options)) {
        assertThat(store.turn(null, "resp_setup")).isPresent();
      }
      assertThat(indexes("created_seed")).containsExactly("created_seed_pkey", "idx_created_seed_conversation",
          "idx_created_seed_created_at", "idx_created_seed_provider", "idx_created_seed_updated_at");
    }

    @ParameterizedTest(name = "layout {0}")
    @EnumSource(Layout.class)
    @DisplayName("the shipped scripts run twice without error, and the drop script removes everything")
    void scriptsAreIdempotent(Layout layout) throws Exception {
      String table = SCHEMA + ".scripted_" + layout.optionValue();
      db.execute(Schema.createScript(layout, table), Schema.createScript(layout, table));
      Map<String, String> options = db.options(table, "layout", layout.optionValue());
      try (StateStore store = open(options)) {
        roundTrip(store);
      }
      db.execute(Schema.dropScript(layout, table), Schema.dropScript(layout, table));
      assertThatThrownBy(() -> open(options)).hasMessageContaining("does not exist");
      try (Connection connection = db.admin(); Statement statement = connection.createStatement();
          ResultSet row = statement.executeQuery("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
              + " WHERE n.nspname = '" + SCHEMA + "' AND c.relname LIKE 'scripted_" + layout.optionValue() + "%'")) {
        row.next();
        assertThat(row.getInt(1)).as("relations left").isZero();
      }
    }

    @Test
    @DisplayName("the shipped scripts keep the default names, and rendered for another table rename every one")
    void rendering() {
      assertThat(Schema.createScript(Layout.TURNS, "conversation_turns"))
          .contains("CREATE TABLE IF NOT EXISTS conversation_turns (")
          .contains("CREATE TABLE IF NOT EXISTS conversation_turns_conversations (");
      String rendered = Schema.createScript(Layout.TURNS, "app.turns");
      assertThat(rendered)
          .contains("CREATE TABLE IF NOT EXISTS \"app\".\"turns\" (")
          .contains("CREATE TABLE IF NOT EXISTS \"app\".\"turns_conversations\" (")
          .contains("idx_turns_conversation_id ON \"app\".\"turns\"")
          .contains("idx_turns_conversations_last_activity")
          .contains("VIEW \"app\".\"turns_states\"");
      assertThat(rendered.lines().filter(line -> !line.startsWith("--")))
          .noneMatch(line -> line.contains("conversation_turns"));
      assertThat(Schema.createScript(Layout.CONVERSATION_STATES, "app.states").lines().filter(line -> !line.startsWith("--")))
          .noneMatch(line -> line.contains("conversation_states"));
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

    @Test
    @DisplayName("a turns table whose conversations table name would pass 63 bytes is refused, naming the option")
    void nameTooLong() {
      assertThatThrownBy(() -> open(db.options("t".repeat(55))))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("Option 'table'")
          .hasMessageContaining("_conversations");
    }
  }

  @Nested
  @DisplayName("the layouts")
  class Layouts {

    @Test
    @DisplayName("an unknown layout is refused, naming the option and the two values")
    void unknownLayout() {
      assertThatThrownBy(() -> open(db.options(SCHEMA + ".x", "layout", "rows")))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("Option 'layout'")
          .hasMessageContaining("turns or conversation_states");
    }

    @Test
    @DisplayName("the turns layout where only a conversation_states table exists says to set layout=conversation_states or to migrate")
    void seedTableBesideMissingTurnsTable() {
      db.execute("DROP SCHEMA IF EXISTS setup_seed_only CASCADE", "CREATE SCHEMA setup_seed_only",
          String.format(SEED_0_1_DDL, "setup_seed_only.conversation_states"));
      assertThatThrownBy(() -> open(db.options("setup_seed_only.conversation_turns")))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("does not exist")
          .hasMessageContaining("layout=conversation_states")
          .hasMessageContaining("migrate");
    }

    @Test
    @DisplayName("the turns layout on a conversation_states table says to set layout=conversation_states")
    void seedTableUnderTurnsLayout() {
      String table = db.freshTable(SCHEMA + "_as_turns", Layout.CONVERSATION_STATES);
      assertThatThrownBy(() -> open(db.options(table)))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("has the conversation_states layout")
          .hasMessageContaining("layout=conversation_states");
    }

    @Test
    @DisplayName("the conversation_states layout on a turns table says to set layout=turns")
    void turnsTableUnderSeedLayout() {
      String table = db.freshTable(SCHEMA + "_as_seed", Layout.TURNS);
      assertThatThrownBy(() -> open(seed(db.options(table))))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("has the turns layout")
          .hasMessageContaining("layout=turns");
    }

    @Test
    @DisplayName("a seed table without the 0.2 columns is refused with convstate migrate; after it, old rows read as one turn and continue")
    void seedTableNeedsMigrate() {
      db.execute("DROP SCHEMA IF EXISTS setup_old_seed CASCADE", "CREATE SCHEMA setup_old_seed",
          String.format(SEED_0_1_DDL, "setup_old_seed.conversation_states"),
          "INSERT INTO setup_old_seed.conversation_states (response_id, input_items, created_at, model, provider)"
              + " VALUES ('resp_plano', '[{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"hello\"}]',"
              + " 1700000000, 'gpt-4o', 'openai')");
      Map<String, String> options = seed(db.options("setup_old_seed.conversation_states"));
      assertThatThrownBy(() -> open(options))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("owner, previous_response_id, conversation_id, deleted, turns")
          .hasMessageContaining("convstate migrate");
      try (PostgresAdmin admin = PostgresAdmin.connect(StoreConfig.of(options, Map.of()))) {
        assertThat(admin.migrate()).as("created").isFalse();
        assertThat(admin.verify()).isEmpty();
      }
      try (StateStore store = open(options)) {
        Turn old = store.turn(null, "resp_plano").orElseThrow();
        assertThat(old.input().size()).isEqualTo(2);
        assertThat(old.output().isEmpty()).isTrue();
        assertThat(old.previousResponseId()).isEmpty();
        assertThat(old.createdAt()).isEqualTo(1_700_000_000L);
        Turn next = store.record(Turn.builder("resp_next").previousResponseId("resp_plano")
            .input(InputItems.parse("[{\"role\":\"user\",\"content\":\"again\"}]")).model("m").provider("p").createdAt(1_700_000_100L).build());
        assertThat(next.conversationCreatedAt()).isEqualTo(1_700_000_000L);
        assertThat(store.history(null, "resp_next").orElseThrow().responseIds()).containsExactly("resp_plano", "resp_next");
        assertThat(store.history(null, "resp_next").orElseThrow().items().size()).isEqualTo(3);
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
          "GRANT SELECT, INSERT ON " + table + ", " + table + "_conversations TO convstate_reader");
      assertThatThrownBy(() -> open(db.options(table, "connection_string", db.urlAs("convstate_reader", "reader"))))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("Role 'convstate_reader' lacks UPDATE, DELETE on table '" + table + "'")
          .hasMessageContaining("GRANT SELECT, INSERT, UPDATE, DELETE ON " + table + " TO convstate_reader;")
          .message().doesNotContain("reader@");
    }

    @Test
    @DisplayName("a role with every privilege on the turns table but none on its conversations table is told so")
    void missingPrivilegeOnConversations() {
      String table = db.freshTable(SCHEMA + "_grants2");
      db.execute("DROP ROLE IF EXISTS convstate_half", "CREATE ROLE convstate_half LOGIN PASSWORD 'half'",
          "GRANT USAGE ON SCHEMA " + SCHEMA + "_grants2 TO convstate_half",
          "GRANT SELECT, INSERT, UPDATE, DELETE ON " + table + " TO convstate_half");
      assertThatThrownBy(() -> open(db.options(table, "connection_string", db.urlAs("convstate_half", "half"))))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("lacks SELECT, INSERT, UPDATE, DELETE on table '" + table + "_conversations'");
    }

    @Test
    @DisplayName("a password with #, @, %, + and : works percent-encoded in the URI and as the password option")
    void specialPassword() {
      String table = db.freshTable(SCHEMA + "_special");
      String password = "p#s@w%r+d:1";
      db.execute("DROP ROLE IF EXISTS convstate_special", "CREATE ROLE convstate_special LOGIN PASSWORD '" + password + "'",
          "GRANT USAGE ON SCHEMA " + SCHEMA + "_special TO convstate_special",
          "GRANT SELECT, INSERT, UPDATE, DELETE ON " + table + ", " + table + "_conversations TO convstate_special");
      try (StateStore store = open(db.options(table, "connection_string", db.urlAs("convstate_special", "p%23s%40w%25r+d%3A1")))) {
        roundTrip(store);
      }
      db.truncate(table, Layout.TURNS);
      String withoutPassword = db.urlAs("convstate_special", "x").replace(":x@", "@");
      try (StateStore store = open(db.options(table, "connection_string", withoutPassword, "password", password))) {
        roundTrip(store);
      }
    }

    @Test
    @DisplayName("a wrong password fails open as a configuration error, naming the user but not the password")
    void wrongPassword() {
      String table = db.freshTable(SCHEMA + "_auth");
      assertThatThrownBy(() -> open(db.options(table, "connection_string", db.urlAs("postgres", "Wr0ngSecret"),
          "pool.connection_timeout", "2s")))
          .isInstanceOf(ConfigurationException.class)
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
    @DisplayName("an unknown host fails open as a configuration error, naming the host")
    void unknownHost() {
      assertThatThrownBy(() -> open(Map.of("type", "postgres",
          "connection_string", "postgresql://app:T0pSecret@no-such-host.invalid:5432/db", "pool.connection_timeout", "1s")))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("no-such-host.invalid")
          .message().doesNotContain("T0pSecret");
    }

    @Test
    @DisplayName("a missing database fails open as a configuration error, naming the database")
    void missingDatabase() {
      assertThatThrownBy(() -> open(db.options(SCHEMA + ".x",
          "connection_string", db.url().replaceFirst("/[^/?]*$", "/no_such_db"), "pool.connection_timeout", "2s")))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("no_such_db")
          .hasMessageContaining("database name");
    }
  }
}
