package io.convstate.postgres;

import org.junit.jupiter.api.DisplayName;

/** The whole kit on the seed's conversation_states table (layout=conversation_states). */
@DisplayName("The postgres store keeps the state store contract on the seed's conversation_states layout")
class SeedLayoutCompatibilityTest extends PostgresKitSupport {

  @Override
  String schema() {
    return "kit_seed";
  }

  @Override
  Layout layout() {
    return Layout.CONVERSATION_STATES;
  }

  @Override
  String[] options() {
    return new String[0];
  }
}
