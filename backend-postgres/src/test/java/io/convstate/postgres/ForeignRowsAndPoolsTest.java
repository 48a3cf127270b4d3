package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.convstate.InputItems;
import io.convstate.StorageException;
import io.convstate.StoreConfig;
import io.convstate.Turn;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The postgres store with other tools and other stores")
class ForeignRowsAndPoolsTest {

  private static PostgresStateStore open(Map<String, String> options) {
    return new PostgresStateStore(StoreConfig.of(options), Clock.systemUTC());
  }

  private static Turn turn(String id) {
    return Turn.builder(id).input(InputItems.parse("[{\"type\":\"message\",\"text\":\"hi\"}]"))
        .owner("o").model("m").provider("p").createdAt(1L).build();
  }

  @Nested
  @DisplayName("a row another tool wrote whose items are not a JSON array")
  class ForeignRows {

    @Test
    @DisplayName("reads as a StorageException naming the table, in the turns layout")
    void turns() {
      TestDatabase db = TestDatabase.get();
      String table = db.freshTable("foreign_turns");
      try (PostgresStateStore store = open(db.options(table))) {
        store.record(turn("resp_foreign_1"));
        db.execute("UPDATE " + table + " SET input_items = '{\"x\":1}'::jsonb WHERE response_id = 'resp_foreign_1'");
        assertThatThrownBy(() -> store.history("o", "resp_foreign_1"))
            .isExactlyInstanceOf(StorageException.class).hasMessageContaining(table).hasMessageContaining("JSON array");
        assertThatThrownBy(() -> store.turn("o", "resp_foreign_1"))
            .isExactlyInstanceOf(StorageException.class).hasMessageContaining(table).hasMessageContaining("JSON array");
      }
    }

    @Test
    @DisplayName("reads as a StorageException naming the table, in the conversation_states layout")
    void seed() {
      TestDatabase db = TestDatabase.get();
      String table = db.freshTable("foreign_seed", Layout.CONVERSATION_STATES);
      db.execute("INSERT INTO " + table + " (response_id, input_items, created_at, model, provider) VALUES"
          + " ('resp_foreign_2', '\"just text\"'::jsonb, 1, 'm', 'p')");
      try (PostgresStateStore store = open(db.options(table, "layout", "conversation_states"))) {
        assertThatThrownBy(() -> store.history(null, "resp_foreign_2"))
            .isExactlyInstanceOf(StorageException.class).hasMessageContaining(table).hasMessageContaining("JSON array");
      }
    }
  }

  @Test
  @DisplayName("a table whose items column is not jsonb fails open as a configuration error naming the column")
  void wrongColumnType() {
    TestDatabase db = TestDatabase.get();
    String table = db.freshTable("wrong_types", Layout.CONVERSATION_STATES);
    db.execute("ALTER TABLE " + table + " ALTER COLUMN input_items TYPE text");
    assertThatThrownBy(() -> open(db.options(table, "layout", "conversation_states")))
        .isExactlyInstanceOf(io.convstate.ConfigurationException.class)
        .hasMessageContaining("input_items is text").hasMessageContaining("convstate verify");
  }

  @Test
  @DisplayName("two stores on tables of the same name in two databases get pools of different names")
  void poolNamesDoNotCollide() {
    TestDatabase db = TestDatabase.get();
    db.execute("DROP DATABASE IF EXISTS convstate_pool_names", "CREATE DATABASE convstate_pool_names");
    String table = db.freshTable("pool_names");
    Map<String, String> other = db.options(table, "schema.create", "true");
    other.put("connection_string", db.url().replaceFirst("/[^/?]*$", "/convstate_pool_names"));
    db.execute("CREATE SCHEMA IF NOT EXISTS pool_names");
    try (PostgresStateStore first = open(db.options(table)); PostgresStateStore second = openCreatingSchema(other)) {
      String firstName = ((HikariDataSource) first.dataSource()).getPoolName();
      String secondName = ((HikariDataSource) second.dataSource()).getPoolName();
      assertThat(firstName).startsWith("convstate-" + table);
      assertThat(secondName).startsWith("convstate-" + table).isNotEqualTo(firstName);
    }
  }

  private static PostgresStateStore openCreatingSchema(Map<String, String> options) {
    // the second database has no schema pool_names yet: create it there through a first store on public
    Map<String, String> bootstrap = new java.util.HashMap<>(options);
    bootstrap.put("table", "public.pool_names_bootstrap");
    try (PostgresStateStore store = open(bootstrap);
        java.sql.Connection connection = store.dataSource().getConnection();
        java.sql.Statement statement = connection.createStatement()) {
      statement.execute("CREATE SCHEMA IF NOT EXISTS pool_names");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return open(options);
  }
}
