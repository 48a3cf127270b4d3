package io.convstate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One page of a response's input items, as OpenAI's list object has it: {@code data},
 * {@code first_id}, {@code last_id}, {@code has_more}.
 *
 * <p>A response's input items are the items its request sent upstream: every earlier turn's input
 * and output, then its own input (not its output). Each has a stable id ({@link ItemIds}). A cursor
 * names an item by id; when ids repeat (OpenAI refuses that, a store does not), the last item with
 * that id in the query's order is meant, so paging always moves forward. Immutable.
 */
public final class ItemPage {

  /** One listed item: its id and its JSON text as stored. */
  public static final class Item {
    private final String id;
    private final String json;

    Item(String id, String json) {
      this.id = id;
      this.json = json;
    }

    /** The item's own {@code id}, or the one convstate derived for it. */
    public String id() {
      return id;
    }

    /** The item as stored (with PostgreSQL, jsonb's key order). */
    public String json() {
      return json;
    }

    /** A new tree of the item with its {@link #id()} (added first when the item had none of its own). */
    public ObjectNode toJsonNode() {
      try {
        ObjectNode stored = (ObjectNode) Json.MAPPER.readTree(json);
        if (stored.path("id").isTextual() && stored.get("id").textValue().equals(id)) {
          return stored;
        }
        stored.remove("id");
        ObjectNode withId = Json.MAPPER.createObjectNode().put("id", id);
        withId.setAll(stored);
        return withId;
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("stored item failed to parse", e);
      }
    }

    @Override
    public String toString() {
      return "Item[" + id + "]";
    }
  }

  private final List<Item> data;
  private final boolean hasMore;

  private ItemPage(List<Item> data, boolean hasMore) {
    this.data = Collections.unmodifiableList(data);
    this.hasMore = hasMore;
  }

  /**
   * The page {@code query} selects from the input items of {@code history}'s response.
   *
   * @throws InvalidInputException naming {@code after} or {@code before} when the cursor is not an
   *     item of this response's input
   */
  public static ItemPage of(History history, ItemQuery query) {
    List<Item> items = inputItems(history);
    if (query.order() == ItemQuery.Order.DESC) {
      Collections.reverse(items);
    }
    int start = query.afterId() == null ? 0 : indexOf(items, "after", query.afterId()) + 1;
    int end = query.beforeId() == null ? items.size() : indexOf(items, "before", query.beforeId());
    if (end < start) {
      end = start;
    }
    int stop = (int) Math.min(end, (long) start + query.limit());
    return new ItemPage(new ArrayList<>(items.subList(start, stop)), stop < end);
  }

  /** The items, in the query's order. */
  public List<Item> data() {
    return data;
  }

  /** The first item's id; null on an empty page. */
  public String firstId() {
    return data.isEmpty() ? null : data.get(0).id();
  }

  /** The last item's id; null on an empty page. */
  public String lastId() {
    return data.isEmpty() ? null : data.get(data.size() - 1).id();
  }

  /** Whether more items follow this page in the query's order (before any {@code before} cursor). */
  public boolean hasMore() {
    return hasMore;
  }

  @Override
  public String toString() {
    return "ItemPage[" + data.size() + " items, first=" + firstId() + ", last=" + lastId() + ", hasMore=" + hasMore + "]";
  }

  private static List<Item> inputItems(History history) {
    List<Item> items = new ArrayList<>();
    List<Turn> turns = history.turns();
    for (int t = 0; t < turns.size(); t++) {
      Turn turn = turns.get(t);
      add(items, turn, ItemIds.INPUT, turn.input());
      if (t < turns.size() - 1) {
        add(items, turn, ItemIds.OUTPUT, turn.output());
      }
    }
    return items;
  }

  private static void add(List<Item> items, Turn turn, char slot, InputItems source) {
    List<String> texts = source.elements();
    for (int i = 0; i < texts.size(); i++) {
      String json = texts.get(i);
      items.add(new Item(ItemIds.idOf(json, turn.responseId(), slot, i), json));
    }
  }

  private static int indexOf(List<Item> items, String field, String id) {
    for (int i = items.size() - 1; i >= 0; i--) {
      if (items.get(i).id().equals(id)) {
        return i;
      }
    }
    throw new InvalidInputException(field, "'" + id + "' is not an item of this response's input");
  }
}
