package io.convstate.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.convstate.ConfigurationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("connection_string is parsed, and its password never printed")
class RedisConnectionStringTest {

  @Nested
  @DisplayName("accepted forms")
  class Accepted {

    @Test
    @DisplayName("host alone: port 6379, database 0, no credentials, no TLS")
    void hostAlone() {
      RedisConnectionString parsed = RedisConnectionString.parse("redis://cache.internal", null, null);
      assertThat(parsed.endpoints()).hasSize(1);
      assertThat(parsed.endpoints().get(0)).hasToString("cache.internal:6379");
      assertThat(parsed.database()).isZero();
      assertThat(parsed.user()).isNull();
      assertThat(parsed.password()).isNull();
      assertThat(parsed.tls()).isFalse();
      assertThat(parsed.description()).isEqualTo("redis://cache.internal:6379/0");
    }

    @Test
    @DisplayName("ACL user and percent-encoded password, port and database; + stays +, and an unencoded @ works")
    void userPasswordDatabase() {
      RedisConnectionString parsed = RedisConnectionString.parse("rediss://app:p%40ss%23w+rd@h:6380/3", null, null);
      assertThat(parsed.user()).isEqualTo("app");
      assertThat(parsed.password()).isEqualTo("p@ss#w+rd");
      assertThat(parsed.database()).isEqualTo(3);
      assertThat(parsed.tls()).isTrue();
      assertThat(RedisConnectionString.parse("redis://app:a@b@h", null, null).password()).isEqualTo("a@b");
    }

    @Test
    @DisplayName("a password alone after a colon; options user and password override the string's")
    void passwordAloneAndOverrides() {
      RedisConnectionString alone = RedisConnectionString.parse("redis://:secret@h", null, null);
      assertThat(alone.user()).isNull();
      assertThat(alone.password()).isEqualTo("secret");
      RedisConnectionString overridden = RedisConnectionString.parse("redis://a:b@h", "other", "p#w");
      assertThat(overridden.user()).isEqualTo("other");
      assertThat(overridden.password()).isEqualTo("p#w");
    }

    @Test
    @DisplayName("several seed nodes, IPv6 in brackets")
    void seeds() {
      RedisConnectionString parsed = RedisConnectionString.parse("redis://h1:7000,[::1]:7001,h3", null, null);
      assertThat(parsed.endpoints()).extracting(Object::toString).containsExactly("h1:7000", "[::1]:7001", "h3:6379");
      assertThat(parsed.endpoints().get(1).host).isEqualTo("::1");
    }
  }

  @Nested
  @DisplayName("refused forms name connection_string and never echo a password")
  class Refused {

    @Test
    @DisplayName("other schemes, bad ports, empty hosts, bad databases, query parameters, bad escapes")
    void malformed() {
      for (String bad : new String[] {"postgresql://h/db", "redis://", "redis://h:0", "redis://h:x", "redis://h1,,h2",
          "redis://h/x", "redis://h?ssl=true", "redis://[::1", "redis://u:p%zz@h"}) {
        assertThatThrownBy(() -> RedisConnectionString.parse(bad, null, null)).as(bad)
            .isInstanceOf(ConfigurationException.class).hasMessageContaining("connection_string");
      }
    }

    @Test
    @DisplayName("user info without a colon is refused, since it may be a password, and masked whole")
    void userInfoWithoutColon() {
      assertThatThrownBy(() -> RedisConnectionString.parse("redis://hunter2@h:6379", null, null))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("redis://:password@host")
          .hasMessageNotContaining("hunter2");
    }

    @Test
    @DisplayName("no message, description or toString holds the password")
    void neverPrinted() {
      String secret = "s3cr%23t";
      assertThatThrownBy(() -> RedisConnectionString.parse("redis://app:" + secret + "@h:99999", null, null))
          .hasMessageNotContaining(secret).hasMessageNotContaining("s3cr#t").hasMessageContaining("****");
      RedisConnectionString parsed = RedisConnectionString.parse("redis://app:" + secret + "@h", null, null);
      assertThat(parsed.toString()).doesNotContain("s3cr").contains("****");
      assertThat(parsed.description()).doesNotContain("s3cr").contains("user 'app'");
    }
  }
}
