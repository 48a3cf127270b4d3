package io.convstate.cli;

import io.convstate.StoreConfig;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** Hints for an operator whose store is not configured: variables that look like misspelt ones. */
final class Hints {

  private static final String PREFIX = StoreConfig.ENVIRONMENT_PREFIX;

  private Hints() {}

  /**
   * A clause such as {@code " (CONVSTAE_TABLE is set: did you mean CONVSTATE_TABLE?)"} naming each
   * variable of {@code environment} that is near {@code DATABASE_URL}, has a prefix near
   * {@code CONVSTATE_}, or is a {@code CONVSTATE_} variable for no known key; empty when none.
   * Names only, never values.
   */
  static String misspeltVariables(Map<String, String> environment, Collection<String> knownKeys) {
    TreeSet<String> hints = new TreeSet<>();
    for (String name : environment.keySet()) {
      String suggestion = suggestion(name.toUpperCase(Locale.ROOT), knownKeys);
      if (suggestion != null && !suggestion.equals(name)) {
        hints.add(name + " is set: did you mean " + suggestion + "?");
      } else if (suggestion == null && name.startsWith(PREFIX)) {
        hints.add(name + " is set but names no option");
      }
    }
    return hints.isEmpty() ? "" : " (" + String.join("; ", hints) + ")";
  }

  /** The variable {@code name} was probably meant to be; {@code name} itself when it is right; null when unrelated. */
  private static String suggestion(String name, Collection<String> knownKeys) {
    if (name.equals(StoreConfig.DATABASE_URL)) {
      return name;
    }
    if (distance(name, StoreConfig.DATABASE_URL) <= 2) {
      return StoreConfig.DATABASE_URL;
    }
    int underscore = name.indexOf('_');
    if (underscore < 0) {
      return null;
    }
    String prefix = name.substring(0, underscore + 1);
    if (!prefix.equals(PREFIX) && distance(prefix, PREFIX) > 2) {
      return null;
    }
    String key = name.substring(underscore + 1).toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String known : knownKeys) {
      int distance = distance(key, known.replace('.', '_'));
      if (distance < bestDistance) {
        best = known;
        bestDistance = distance;
      }
    }
    if (best == null || bestDistance > Math.max(2, key.length() / 3)) {
      return prefix.equals(PREFIX) ? null : PREFIX + key.toUpperCase(Locale.ROOT);
    }
    return PREFIX + best.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
