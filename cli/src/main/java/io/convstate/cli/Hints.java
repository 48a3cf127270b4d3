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
    if (StoreConfig.editDistance(name, StoreConfig.DATABASE_URL) <= 2) {
      return StoreConfig.DATABASE_URL;
    }
    int underscore = name.indexOf('_');
    if (underscore < 0) {
      return null;
    }
    String prefix = name.substring(0, underscore + 1);
    if (!prefix.equals(PREFIX) && StoreConfig.editDistance(prefix, PREFIX) > 2) {
      return null;
    }
    String key = name.substring(underscore + 1).toLowerCase(Locale.ROOT);
    java.util.List<String> underscored = new java.util.ArrayList<>();
    for (String known : knownKeys) {
      underscored.add(known.replace('.', '_'));
    }
    String best = StoreConfig.closest(key, underscored);
    if (best == null) {
      return prefix.equals(PREFIX) ? null : PREFIX + key.toUpperCase(Locale.ROOT);
    }
    return PREFIX + best.toUpperCase(Locale.ROOT);
  }
}
