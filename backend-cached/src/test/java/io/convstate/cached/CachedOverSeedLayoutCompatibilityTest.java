package io.convstate.cached;

import io.convstate.postgres.Layout;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The cached store over postgres keeps the state store contract on the seed's conversation_states layout")
class CachedOverSeedLayoutCompatibilityTest extends CachedOverPostgresKitSupport {

  @Override
  String schema() {
    return "kit_cached_seed";
  }

  @Override
  Layout layout() {
    return Layout.CONVERSATION_STATES;
  }
}
