package io.convstate.redis;

import org.junit.jupiter.api.DisplayName;

@DisplayName("The redis store on a Redis Cluster of 3 masters and 3 replicas keeps the state store contract")
class RedisClusterCompatibilityTest extends RedisKitSupport {

  @Override
  String url() {
    return TestRedis.clusterUrl();
  }
}
