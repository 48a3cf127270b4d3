package io.convstate.cli;

/**
 * Counts as the CLI prints them: plain digits (no grouping, in progress lines and summaries alike,
 * so scripts can read them) and the noun in the singular for one.
 */
final class Counts {

  private Counts() {}

  /** {@code "1 turn"}, {@code "2500 turns"}; the plural adds an s. */
  static String of(long count, String noun) {
    return count + " " + noun + (count == 1 ? "" : "s");
  }
}
