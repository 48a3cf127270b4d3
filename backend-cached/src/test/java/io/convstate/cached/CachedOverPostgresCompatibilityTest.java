package io.convstate.cached;

import io.convstate.postgres.Layout;
import org.junit.jupiter.api.DisplayName;

@DisplayName("The cached store over postgres keeps the state store contract on the turns layout")
class CachedOverPostgresCompatibilityTest extends CachedOverPostgresKitSupport {

  @Override
  String schema() {
    return "kit_cached";
  }

  @Override
  Layout layout() {
    return Layout.TURNS;
  }
}
