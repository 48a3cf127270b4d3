package io.convstate.postgres;

import io.convstate.ConfigurationException;
import java.util.Locale;

/**
 * How the postgres store lays out turns in its table (option {@code layout}).
 *
 * <ul>
 *   <li>{@link #TURNS}: one row per turn holding only that turn's items, plus a small table of
 *       conversations and their last activity. Recording writes the new turn only; a history is
 *       read with one statement. The default for new tables.
 *   <li>{@link #CONVERSATION_STATES}: the seed's {@code conversation_states} table, one row per
 *       response holding the whole history, which other tools (plano) read and write too. Kept
 *       for existing deployments; each turn writes the whole history again.
 * </ul>
 */
public enum Layout {

  /** One row per turn: table {@code conversation_turns} and {@code conversation_turns_conversations}. */
  TURNS("turns", "conversation_turns"),

  /** The seed's whole-history rows: table {@code conversation_states}. */
  CONVERSATION_STATES("conversation_states", "conversation_states");

  private final String optionValue;
  private final String defaultTable;

  Layout(String optionValue, String defaultTable) {
    this.optionValue = optionValue;
    this.defaultTable = defaultTable;
  }

  /**
   * The layout an option value names: {@code turns} or {@code conversation_states}, in any case.
   *
   * @throws ConfigurationException naming option {@code layout} for any other value
   */
  public static Layout fromOption(String value) {
    String wanted = value.strip().toLowerCase(Locale.ROOT);
    for (Layout layout : values()) {
      if (layout.optionValue.equals(wanted)) {
        return layout;
      }
    }
    throw new ConfigurationException("Option 'layout' is '" + value + "'; expected turns or conversation_states");
  }

  /** The value of option {@code layout} that selects this layout. */
  public String optionValue() {
    return optionValue;
  }

  /** The table used when option {@code table} is not set. */
  public String defaultTable() {
    return defaultTable;
  }

  /** The classpath script that creates (or completes) a table of this layout: {@code <default table>.sql}. */
  String createScript() {
    return "io/convstate/postgres/" + defaultTable + ".sql";
  }

  /** The classpath script that drops a table of this layout. */
  String dropScript() {
    return "io/convstate/postgres/drop_" + defaultTable + ".sql";
  }

  @Override
  public String toString() {
    return optionValue;
  }
}
