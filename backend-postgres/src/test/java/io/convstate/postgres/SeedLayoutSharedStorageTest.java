package io.convstate.postgres;

import org.junit.jupiter.api.DisplayName;

/** The shared-storage tier on the seed's conversation_states layout. */
@DisplayName("Two postgres stores on one conversation_states table keep the shared-storage contract")
class SeedLayoutSharedStorageTest extends PostgresSharedStorageTest {

  @Override
  String schema() {
    return "kit_shared_seed";
  }

  @Override
  Layout layout() {
    return Layout.CONVERSATION_STATES;
  }
}
