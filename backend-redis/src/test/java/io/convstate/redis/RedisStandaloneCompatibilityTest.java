package io.convstate.redis;

import org.junit.jupiter.api.DisplayName;

@DisplayName("The redis store on a standalone server keeps the state store contract")
class RedisStandaloneCompatibilityTest extends RedisKitSupport {

  @Override
  String url() {
    return TestRedis.standaloneUrl();
  }
}
