package io.convstate.memory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.convstate.InputItems;
import io.convstate.PreparedTurn;
import io.convstate.ResponsesConversations;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The memory store's footprint")
class MemoryFootprintTest {

  private static long usedHeap() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }

  @Test
  @DisplayName("a 1,000-turn conversation of 1 KiB turns keeps every history in about 1 MiB, not the 500 MiB full copies would take")
  void linearInTurns() {
    ObjectMapper json = new ObjectMapper();
    MemoryStateStore store = new MemoryStateStore();
    ResponsesConversations host = new ResponsesConversations(store);
    String text = "x".repeat(1_000);
    long before = usedHeap();
    String previous = null;
    for (int turn = 1; turn <= 1_000; turn++) {
      PreparedTurn prepared = host.prepare(null, previous, json.getNodeFactory().textNode(text));
      ArrayNode output = json.createArrayNode();
      output.addObject().put("type", "message").put("role", "assistant").put("text", "ok " + turn);
      previous = "resp_" + turn;
      host.record(prepared, previous, output, "m", "p");
      if (turn % 100 == 0) {
        host.record(host.prepare(null, previous, json.getNodeFactory().textNode("fork")), previous + "_fork", output, "m", "p");
      }
    }
    long used = usedHeap() - before;
    InputItems last = store.history(null, "resp_1000").orElseThrow().items();
    assertThat(last.size()).isEqualTo(2_000);
    assertThat(last.jsonBytes()).as("the last history alone, as JSON").isGreaterThan(1_000_000);
    assertThat(store.size()).isEqualTo(1_010);
    assertThat(used).as("heap held by 1,010 histories of up to 1 MB each").isLessThan(32L << 20);
  }
}
