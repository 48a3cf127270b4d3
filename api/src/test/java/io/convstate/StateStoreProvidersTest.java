package io.convstate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Provider discovery")
class StateStoreProvidersTest {

  @TempDir
  Path services;

  /** Providers as a jar's META-INF/services file would list them. */
  private StateStoreProviders load(Class<?>... providers) throws IOException {
    Path file = services.resolve("META-INF/services/io.convstate.spi.StateStoreProvider");
    Files.createDirectories(file.getParent());
    StringBuilder lines = new StringBuilder();
    for (Class<?> provider : providers) {
      lines.append(provider.getName()).append('\n');
    }
    Files.writeString(file, lines);
    URLClassLoader loader = new URLClassLoader(new URL[] {services.toUri().toURL()}, getClass().getClassLoader());
    return StateStoreProviders.load(loader);
  }

  @Nested
  @DisplayName("finding a type")
  class Finding {

    @Test
    @DisplayName("each provider is found by its type name")
    void found() throws IOException {
      StateStoreProviders providers = load(TestProviders.Alpha.class, TestProviders.Beta.class);
      assertThat(providers.types()).containsExactly("alpha", "beta");
      assertThat(providers.require("beta")).isInstanceOf(TestProviders.Beta.class);
      assertThat(providers.failures()).isEmpty();
    }

    @Test
    @DisplayName("an unknown type lists the available ones and the artifact that provides a known one")
    void unknownType() throws IOException {
      StateStoreProviders providers = load(TestProviders.Alpha.class);
      assertThatThrownBy(() -> providers.require("postgress"))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("Unknown store type 'postgress'. Available: alpha. Did you mean 'postgres'? "
              + "Type 'postgres' is provided by io.convstate:convstate-backend-postgres, which is not on the class path.");
    }

    @Test
    @DisplayName("with no provider at all, says so")
    void noProviders() throws IOException {
      assertThatThrownBy(() -> load().require("memory"))
          .hasMessageContaining("No store provider was found on the class path")
          .hasMessageContaining("io.convstate:convstate-backend-memory");
    }
  }

  @Nested
  @DisplayName("conflicts and failures")
  class Conflicts {

    @Test
    @DisplayName("two providers of one type make it unusable, naming both classes")
    void duplicates() throws IOException {
      StateStoreProviders providers = load(TestProviders.Alpha.class, TestProviders.AlphaTwin.class, TestProviders.Beta.class);
      assertThatThrownBy(() -> providers.require("alpha"))
          .hasMessageContaining("Several providers claim store type 'alpha'")
          .hasMessageContaining(TestProviders.Alpha.class.getName())
          .hasMessageContaining(TestProviders.AlphaTwin.class.getName());
      assertThat(providers.require("beta")).isNotNull();
    }

    @Test
    @DisplayName("a provider that fails to load is reported and the others stay usable")
    void failure() throws IOException {
      StateStoreProviders providers = load(TestProviders.FailsToLoad.class, TestProviders.Beta.class);
      assertThat(providers.types()).containsExactly("beta");
      assertThat(providers.failures()).singleElement().asString()
          .contains(TestProviders.FailsToLoad.class.getName())
          .contains("missing native library");
      assertThatThrownBy(() -> providers.require("alpha")).hasMessageContaining("Providers that failed to load")
          .hasMessageContaining("missing native library");
    }
  }

  @Nested
  @DisplayName("opening a store")
  class Opening {

    @Test
    @DisplayName("checks keys and the common options before the provider opens anything")
    void checksKeys() throws IOException {
      StateStoreProviders providers = load(TestProviders.Alpha.class);
      assertThat(StateStores.open(StoreConfig.of(Map.of("type", "alpha", "alpha.size", "3"), Map.of()), providers)).isNotNull();
      assertThatThrownBy(() -> StateStores.open(StoreConfig.of(Map.of("type", "alpha", "alpha.sise", "3"), Map.of()), providers))
          .hasMessageContaining("did you mean 'alpha.size'?");
      assertThatThrownBy(() -> StateStores.open(StoreConfig.of(Map.of("type", "alpha", "max_items_bytes", "huge"), Map.of()), providers))
          .hasMessageContaining("Option 'max_items_bytes' is 'huge'");
    }
  }
}
