package io.convstate.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.ConfigurationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The table option")
class TableNameTest {

  @Test
  @DisplayName("a schema of PostgreSQL's own (a system catalog) is refused at once, naming the option")
  void systemSchemas() {
    for (String table : new String[] {"pg_catalog.pg_class", "PG_TOAST.t", "information_schema.tables", "pg_temp.x"}) {
      assertThatThrownBy(() -> TableName.parse(table))
          .as(table).isInstanceOf(ConfigurationException.class).hasMessageContaining("Option 'table'");
    }
    assertThat(TableName.parse("app.conversation_turns").toString()).isEqualTo("app.conversation_turns");
  }
}
