package io.convstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The README's host section is {@code server/src/test/java/ResponsesHost.java}, which this module
 * compiles: the README shows exactly that file, and the file runs as a host.
 */
@DisplayName("The README's host snippet")
class ReadmeSnippetTest {

  private static final Path SNIPPET = Path.of("src/test/java/ResponsesHost.java");
  private static final Path README = Path.of("../README.md");

  @Test
  @DisplayName("is in README.md exactly as the compiled source file")
  void readmeShowsTheCompiledFile() throws Exception {
    String snippet = Files.readString(SNIPPET, StandardCharsets.UTF_8);
    assertThat(Files.readString(README, StandardCharsets.UTF_8))
        .as("README.md must show %s verbatim in a ```java block (the host section; text in "
            + "the Responses layer notes)", SNIPPET)
        .contains("```java\n" + snippet + "```\n");
  }

  @Test
  @DisplayName("runs as a host the protocol can be spoken to")
  void runs() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    System.setProperty("port", Integer.toString(port));
    Class.forName("ResponsesHost").getMethod("main", String[].class).invoke(null, (Object) new String[0]);
    Api api = new Api(URI.create("http://127.0.0.1:" + port + "/v1"));
    Api.Result first = api.post("sk-readme", "{'model':'any','input':'hi'}");
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.text()).isEqualTo("Hello from my model");
    Api.Result second = api.post("sk-readme", "{'model':'any','input':'again','previous_response_id':'" + first.id() + "'}");
    assertThat(api.get("sk-readme", "/responses/" + second.id() + "/input_items").json().get("data")).hasSize(3);
    assertThat(api.post("sk-readme", "{'model':'any','input':'x','previous_response_id':'resp_nope'}").status()).isEqualTo(400);
    assertThat(api.get("sk-other", "/responses/" + first.id()).status()).isEqualTo(404);
  }
}
