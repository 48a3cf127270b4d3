package io.convstate;

import java.util.Objects;

/**
 * Which page of a response's input items to list: OpenAI's {@code after}, {@code before},
 * {@code limit} (1 to 100, default 20) and {@code order} (default {@code desc}, newest first).
 * Immutable.
 */
public final class ItemQuery {

  /** The order of a listing. */
  public enum Order {
    /** Oldest item first. */
    ASC,
    /** Newest item first: OpenAI's default. */
    DESC
  }

  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_LIMIT = 100;

  private static final ItemQuery FIRST_PAGE = new ItemQuery(null, null, DEFAULT_LIMIT, Order.DESC);

  private final String after;
  private final String before;
  private final int limit;
  private final Order order;

  private ItemQuery(String after, String before, int limit, Order order) {
    this.after = after;
    this.before = before;
    this.limit = limit;
    this.order = order;
  }

  /** The first page with OpenAI's defaults: 20 items, newest first. */
  public static ItemQuery firstPage() {
    return FIRST_PAGE;
  }

  /**
   * A query.
   *
   * @param after list the items that follow this item id in the order; null for the start
   * @param before list the items that precede this item id in the order; null for the end
   * @param limit 1 to {@value #MAX_LIMIT}
   * @param order the order; null for {@link Order#DESC}
   * @throws InvalidInputException naming {@code limit}, {@code after} or {@code before}
   */
  public static ItemQuery of(String after, String before, int limit, Order order) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new InvalidInputException("limit", "must be between 1 and " + MAX_LIMIT + ", was " + limit);
    }
    return new ItemQuery(
        after == null ? null : Validation.requireName("after", after),
        before == null ? null : Validation.requireName("before", before),
        limit,
        order == null ? Order.DESC : order);
  }

  /** This query with another {@code after} cursor (the next page: the last id of this one). */
  public ItemQuery after(String itemId) {
    return of(itemId, before, limit, order);
  }

  public String afterId() {
    return after;
  }

  public String beforeId() {
    return before;
  }

  public int limit() {
    return limit;
  }

  public Order order() {
    return order;
  }

  @Override
  public boolean equals(Object other) {
    if (!(other instanceof ItemQuery)) {
      return false;
    }
    ItemQuery that = (ItemQuery) other;
    return limit == that.limit && order == that.order && Objects.equals(after, that.after)
        && Objects.equals(before, that.before);
  }

  @Override
  public int hashCode() {
    return Objects.hash(after, before, limit, order);
  }

  @Override
  public String toString() {
    return "ItemQuery[after=" + after + ", before=" + before + ", limit=" + limit + ", order=" + order + "]";
  }
}
