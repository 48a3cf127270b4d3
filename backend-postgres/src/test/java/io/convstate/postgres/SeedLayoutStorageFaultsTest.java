package io.convstate.postgres;

import org.junit.jupiter.api.DisplayName;

/** The failure tier on the seed's conversation_states layout. */
@DisplayName("The postgres store on a conversation_states table behind a failing network keeps the failure contract")
class SeedLayoutStorageFaultsTest extends PostgresStorageFaultsTest {

  @Override
  String schema() {
    return "kit_faults_seed";
  }

  @Override
  Layout layout() {
    return Layout.CONVERSATION_STATES;
  }
}
