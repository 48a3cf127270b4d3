package io.convstate.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What another instance made unreadable in a shared store, as an {@link InvalidationSource} tells
 * it: some response ids (deleted), everything inactive before a cutoff (a cleanup), or anything at
 * all (notifications may have been missed). Immutable.
 */
public final class Invalidation {

  private static final Invalidation EVERYTHING = new Invalidation(Set.of(), null, true);

  private final Set<String> responseIds;
  private final Instant inactiveBefore;
  private final boolean everything;

  private Invalidation(Set<String> responseIds, Instant inactiveBefore, boolean everything) {
    this.responseIds = responseIds;
    this.inactiveBefore = inactiveBefore;
    this.everything = everything;
  }

  /** These responses were deleted (and may have been deleted again: a listener must not care). */
  public static Invalidation responses(Set<String> responseIds) {
    return new Invalidation(Set.copyOf(Objects.requireNonNull(responseIds, "responseIds")), null, false);
  }

  /**
   * A cleanup ran with this cutoff: any conversation whose last activity is before it may be gone,
   * exactly as {@link io.convstate.StateStore#deleteInactiveBefore} removes it.
   */
  public static Invalidation inactiveBefore(Instant cutoff) {
    return new Invalidation(Set.of(), Objects.requireNonNull(cutoff, "cutoff"), false);
  }

  /** Anything may have changed (for example notifications were lost while reconnecting). */
  public static Invalidation everything() {
    return EVERYTHING;
  }

  /** The deleted response ids; empty for a cleanup or {@link #everything()}. */
  public Set<String> responseIds() {
    return responseIds;
  }

  /** The cutoff of a cleanup; empty otherwise. */
  public Optional<Instant> inactiveBefore() {
    return Optional.ofNullable(inactiveBefore);
  }

  /** Whether anything at all may have become unreadable. */
  public boolean isEverything() {
    return everything;
  }

  @Override
  public String toString() {
    return everything ? "Invalidation[everything]"
        : inactiveBefore != null ? "Invalidation[inactive before " + inactiveBefore + "]"
        : "Invalidation[" + responseIds.size() + " response ids]";
  }
}
