package io.convstate.postgres;

import org.junit.jupiter.api.DisplayName;

/** The whole kit on the turns layout through PgBouncer in transaction mode, as Supabase's transaction pooler runs. */
@DisplayName("The postgres store keeps the contract through PgBouncer in transaction mode")
class PgBouncerCompatibilityTest extends PostgresKitSupport {

  @Override
  String schema() {
    return "kit_pgbouncer";
  }

  @Override
  String[] options() {
    return new String[] {"connection_string", TestDatabase.pgbouncerUrl(), "pooler", "transaction"};
  }
}
