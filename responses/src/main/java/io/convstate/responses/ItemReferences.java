package io.convstate.responses;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.convstate.History;
import io.convstate.ItemIds;
import io.convstate.Turn;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves {@code item_reference} items against the history a request continues: each becomes a
 * copy of the item it names (with its id), since the model is called without stored state. An id
 * names the items of that history only (every turn's input and output, by their stored or derived
 * {@link ItemIds ids}); when ids repeat, the latest is meant. Stateless and thread-safe.
 */
final class ItemReferences {

  private ItemReferences() {}

  /**
   * @param input normalised input items, possibly with references
   * @param history the history the request continues; null for a new conversation
   * @return input itself when it holds no reference, else a new array with each one resolved
   * @throws ResponsesError 400 naming the reference when its id is not an item of the history
   */
  static ArrayNode resolve(ArrayNode input, History history) {
    Map<String, String> items = null;
    ArrayNode resolved = null;
    for (int i = 0; i < input.size(); i++) {
      JsonNode item = input.get(i);
      if (!InputNormalizer.isReference(item)) {
        continue;
      }
      if (items == null) {
        items = itemsById(history);
        resolved = input.deepCopy();
      }
      String id = item.get("id").textValue();
      String json = items.get(id);
      if (json == null) {
        throw ResponsesError.invalidRequest("input[" + i + "].id", "invalid_value", "Item with id '" + id + "' not found.");
      }
      resolved.set(i, withId(id, json));
    }
    return resolved == null ? input : resolved;
  }

  private static Map<String, String> itemsById(History history) {
    Map<String, String> items = new HashMap<>();
    if (history == null) {
      return items;
    }
    for (Turn turn : history.turns()) {
      put(items, turn, ItemIds.INPUT, turn.input().elements());
      put(items, turn, ItemIds.OUTPUT, turn.output().elements());
    }
    return items;
  }

  private static void put(Map<String, String> items, Turn turn, char slot, List<String> elements) {
    for (int i = 0; i < elements.size(); i++) {
      items.put(ItemIds.idOf(elements.get(i), turn.responseId(), slot, i), elements.get(i));
    }
  }

  private static ObjectNode withId(String id, String json) {
    try {
      ObjectNode stored = (ObjectNode) JsonSupport.MAPPER.readTree(json);
      if (stored.has("id")) {
        return stored;
      }
      ObjectNode item = JsonSupport.MAPPER.createObjectNode().put("id", id);
      item.setAll(stored);
      return item;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored item failed to parse", e);
    }
  }
}
