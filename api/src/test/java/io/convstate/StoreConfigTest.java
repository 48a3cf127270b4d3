package io.convstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Store configuration")
class StoreConfigTest {

  private static final Map<String, String> ENV = Map.of("DB_PASSWORD", "P@ss#1$x", "HOST", "db.local");

  @Nested
  @DisplayName("environment references")
  class References {

    @Test
    @DisplayName("$VAR and ${VAR} are replaced, $$ before a name is a dollar, and any other $ stays as written")
    void substitutes() {
      StoreConfig config = StoreConfig.of(Map.of(
          "connection_string", "postgresql://app:$DB_PASSWORD@${HOST}:5432/postgres",
          "other", "cost $$5 or $ 5 or $1 or $$HOST or $${HOST} or pa$$w0rd or pa$word"), ENV);
      assertThat(config.get("connection_string")).contains("postgresql://app:P@ss#1$x@db.local:5432/postgres");
      assertThat(config.get("other")).contains("cost $$5 or $ 5 or $1 or $HOST or ${HOST} or pa$$w0rd or pa$word");
    }

    @Test
    @DisplayName("a missing variable is an error naming it and the key")
    void missingVariable() {
      assertThatThrownBy(() -> StoreConfig.of(Map.of("connection_string", "postgresql://app:$NOPE@h/db"), ENV))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("Option 'connection_string' refers to environment variable NOPE, which is not set");
    }

    @Test
    @DisplayName("CONVSTATE_ variables become keys, underscores matching dotted keys")
    void fromEnvironment() {
      StoreConfig config = StoreConfig.fromEnvironment(Map.of(
          "CONVSTATE_TYPE", "postgres", "CONVSTATE_POOL_MAX_SIZE", "4", "CONVSTATE_PASSWORD", "$DB_PASSWORD",
          "DB_PASSWORD", "pw", "PATH", "/bin"));
      StoreConfig checked = config.requireKnownKeys(Set.of("pool.max_size", "password"));
      assertThat(checked.type()).isEqualTo("postgres");
      assertThat(checked.intValue("pool.max_size", 10, 1, 100)).isEqualTo(4);
      assertThat(checked.get("password")).contains("pw");
      assertThat(checked.keys()).containsExactly("password", "pool.max_size", "type");
    }

    @Test
    @DisplayName("a decorator reads its own options from CONVSTATE_ variables by their dotted names")
    void decoratorOptionsFromEnvironment() {
      StoreConfig config = StoreConfig.fromEnvironment(Map.of("CONVSTATE_TYPE", "cached", "CONVSTATE_CACHE_DELEGATE", "postgres"));
      assertThat(config.get("cache.delegate")).contains("postgres");
      assertThat(config.require("cache.delegate")).isEqualTo("postgres");
    }

    @Test
    @DisplayName("the delegate of a decorator configured by variables gets the other variables by their dotted names, and none of the decorator's")
    void delegateFromEnvironment() {
      StoreConfig config = StoreConfig.fromEnvironment(Map.of("CONVSTATE_TYPE", "cached", "CONVSTATE_CACHE_DELEGATE", "postgres",
          "CONVSTATE_CACHE_MAXIMUM_WEIGHT", "1MiB", "CONVSTATE_POOL_MAX_SIZE", "4", "CONVSTATE_CONNECTION_STRING", "postgresql://db/x"));
      StoreConfig delegate = config.forDelegate("postgres", "cache.").requireKnownKeys(List.of("pool.max_size", "connection_string"));
      assertThat(delegate.keys()).containsExactly("connection_string", "pool.max_size", "type");
      assertThat(delegate.type()).isEqualTo("postgres");
      assertThat(delegate.intValue("pool.max_size", 10, 1, 100)).isEqualTo(4);
    }

    @Test
    @DisplayName("DATABASE_URL stands in for CONVSTATE_CONNECTION_STRING, and the scheme names the type")
    void databaseUrl() {
      String url = "postgresql://app:pw@db.local:5432/app";
      assertThat(StoreConfig.fromEnvironment(Map.of("DATABASE_URL", url)).get("connection_string")).contains(url);
      assertThat(StoreConfig.fromEnvironment(Map.of("DATABASE_URL", url)).type()).isEqualTo("postgres");
      assertThat(StoreConfig.fromEnvironment(Map.of("DATABASE_URL", url, "CONVSTATE_CONNECTION_STRING", "postgres://other/db"))
          .get("connection_string")).contains("postgres://other/db");
      assertThat(StoreConfig.fromEnvironment(Map.of("DATABASE_URL", url, "CONVSTATE_TYPE", "memory")).get("connection_string")).isEmpty();
      assertThat(StoreConfig.of(Map.of("connection_string", "jdbc:postgresql://h/db"), ENV).type()).isEqualTo("postgres");
      assertThat(StoreConfig.of(Map.of("connection_string", "rediss://h:6380"), ENV).type()).isEqualTo("redis");
      assertThat(StoreConfig.of(Map.of("type", "memory", "connection_string", "postgres://h/db"), ENV).type()).isEqualTo("memory");
    }

    @Test
    @DisplayName("a password with $ reaches the store unchanged from a map, properties and the environment")
    void dollarInSecrets() {
      for (String secret : List.of("pa$$w0rd", "pa$word", "$", "a$b$$c", "x$1")) {
        assertThat(StoreConfig.of(Map.of("password", secret), ENV).get("password")).as(secret).contains(secret);
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("password", secret);
        assertThat(StoreConfig.of(properties).get("password")).as(secret).contains(secret);
        assertThat(StoreConfig.fromEnvironment(Map.of("CONVSTATE_PASSWORD", secret)).get("password")).as(secret).contains(secret);
      }
      assertThatThrownBy(() -> StoreConfig.of(Map.of("password", "pa$W0RD"), ENV))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("W0RD");
      assertThat(StoreConfig.of(Map.of("password", "pa$$W0RD"), ENV).get("password")).contains("pa$W0RD");
    }

    @Test
    @DisplayName("an unknown CONVSTATE_ variable is named as a variable, with the closest one")
    void unknownVariable() {
      StoreConfig config = StoreConfig.fromEnvironment(Map.of("CONVSTATE_POOL_MAXSIZE", "4"));
      assertThatThrownBy(() -> config.requireKnownKeys(Set.of("pool.max_size")))
          .hasMessageContaining("unknown option CONVSTATE_POOL_MAXSIZE, did you mean 'pool.max_size' (CONVSTATE_POOL_MAX_SIZE)?");
    }
  }

  @Nested
  @DisplayName("values")
  class Values {

    @Test
    @DisplayName("type defaults to memory")
    void defaultType() {
      assertThat(StoreConfig.of(Map.of(), ENV).type()).isEqualTo("memory");
    }

    @Test
    @DisplayName("sizes, durations, integers and booleans parse, and bad ones name the key")
    void typedValues() {
      StoreConfig config = StoreConfig.of(Map.of(
          "max_items_bytes", "16MiB", "a", "30s", "b", "7d", "c", "12", "d", "TRUE", "e", "lots"), ENV);
      assertThat(config.maxItemsBytes()).isEqualTo(16L << 20);
      assertThat(config.duration("a", null)).isEqualTo(Duration.ofSeconds(30));
      assertThat(config.duration("b", null)).isEqualTo(Duration.ofDays(7));
      assertThat(config.duration("missing", Duration.ZERO)).isEqualTo(Duration.ZERO);
      assertThat(config.intValue("c", 0, 1, 100)).isEqualTo(12);
      assertThat(config.booleanValue("d", false)).isTrue();
      assertThatThrownBy(() -> config.intValue("e", 0, 1, 100)).hasMessage("Option 'e' is 'lots'; expected a whole number from 1 to 100");
      assertThatThrownBy(() -> config.intValue("c", 0, 1, 10)).hasMessageContaining("from 1 to 10");
      assertThatThrownBy(() -> config.duration("e", null)).hasMessageContaining("Option 'e'");
      assertThatThrownBy(() -> config.bytes("e", 0)).hasMessageContaining("Option 'e'");
      assertThatThrownBy(() -> config.booleanValue("e", false)).hasMessageContaining("true or false");
    }

    @Test
    @DisplayName("a required option that is missing is named")
    void required() {
      assertThatThrownBy(() -> StoreConfig.of(Map.of("type", "postgres"), ENV).require("connection_string"))
          .hasMessage("The 'postgres' store needs option 'connection_string' (or variable CONVSTATE_CONNECTION_STRING)");
    }

    @Test
    @DisplayName("properties work like a map")
    void properties() {
      Properties properties = new Properties();
      properties.setProperty("type", "memory");
      properties.setProperty("max_items_bytes", "1KiB");
      assertThat(StoreConfig.of(properties).maxItemsBytes()).isEqualTo(1024);
    }
  }

  @Nested
  @DisplayName("keys")
  class Keys {

    @Test
    @DisplayName("an unknown key is refused with the closest known key")
    void unknownKey() {
      StoreConfig config = StoreConfig.of(Map.of("type", "postgres", "pool.maxsize", "3"), ENV);
      assertThatThrownBy(() -> config.requireKnownKeys(Set.of("pool.max_size", "connection_string")))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("unknown option 'pool.maxsize', did you mean 'pool.max_size'?")
          .hasMessageContaining("Known options: connection_string, max_items_bytes, pool.max_size, type");
    }

    @Test
    @DisplayName("a key far from every known key gets no suggestion")
    void noSuggestion() {
      StoreConfig config = StoreConfig.of(Map.of("completely_unrelated", "x"), ENV);
      assertThatThrownBy(() -> config.requireKnownKeys(Set.of()))
          .hasMessageContaining("unknown option 'completely_unrelated'. Known options");
    }
  }

  @Nested
  @DisplayName("secrets")
  class SecretsInConfig {

    @Test
    @DisplayName("toString masks passwords in URIs, parameters and secret keys")
    void masks() {
      StoreConfig config = StoreConfig.of(Map.of(
          "connection_string", "postgresql://app:$DB_PASSWORD@db.local/postgres?sslmode=require",
          "password", "hunter2",
          "jdbc", "jdbc:postgresql://h/db?user=app&password=hunter3&ssl=true"), ENV);
      assertThat(config.toString())
          .contains("postgresql://app:****@db.local/postgres?sslmode=require")
          .contains("password=****")
          .contains("jdbc:postgresql://h/db?user=app&password=****&ssl=true")
          .doesNotContain("P@ss", "ss#1", "hunter2", "hunter3");
    }

    @Test
    @DisplayName("a user name with an unencoded @, a password with @ ? # % :, or a bare Redis password never shows")
    void undefeatableMasking() {
      Map<String, String> strings = Map.of(
          "postgresql://admin@tenant:Xy7@?#%:pq@db.local:5432/postgres", "Xy7@?#%:pq",
          "postgres://app:s3cr%40t@h/db", "s3cr%40t",
          "redis://Zq9secret@cache.local:6379", "Zq9secret",
          "rediss://user:Wr4@pass@cache.local:6380/0", "Wr4@pass");
      strings.forEach((url, password) -> {
        String shown = StoreConfig.of(Map.of("connection_string", url), ENV).toString();
        assertThat(shown).as(url).doesNotContain(password).doesNotContain(password.substring(0, 4)).contains(Secrets.MASK);
      });
      assertThat(Secrets.maskInText("postgresql://app@db.local/postgres")).isEqualTo("postgresql://app@db.local/postgres");
    }

    @Test
    @DisplayName("an invalid secret value is not echoed in the error")
    void invalidSecret() {
      StoreConfig config = StoreConfig.of(Map.of("pool.password_size", "hunter2"), ENV);
      assertThatThrownBy(() -> config.intValue("pool.password_size", 1, 1, 2)).message().doesNotContain("hunter2");
    }
  }
}
