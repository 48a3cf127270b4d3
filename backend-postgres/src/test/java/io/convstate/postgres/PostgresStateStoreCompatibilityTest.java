package io.convstate.postgres;

import org.junit.jupiter.api.DisplayName;

@DisplayName("The postgres store keeps the state store contract on the turns layout")
class PostgresStateStoreCompatibilityTest extends PostgresKitSupport {

  @Override
  String schema() {
    return "kit_direct";
  }

  @Override
  String[] options() {
    return new String[0];
  }
}
