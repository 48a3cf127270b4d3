package io.convstate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A store's configuration: a flat map of string keys, the same for every host (a Map, Properties,
 * or environment variables). Keys are {@code type}, {@code max_items_bytes} and each backend's own
 * options ({@code connection_string}, {@code pool.max_size}, ...).
 *
 * <p>Values may refer to environment variables as {@code $VAR} or {@code ${VAR}}; {@code $$} before a
 * name or {@code {} is a literal {@code $}, and any other {@code $} stays as it is. The references are
 * resolved when the configuration is built; a variable that is not set is a
 * {@link ConfigurationException} naming it.
 *
 * <p>Immutable and thread-safe. {@link #toString()} masks secrets (see {@link Secrets}).
 */
public final class StoreConfig {

  /** The backend's type name, {@code memory} when absent. */
  public static final String TYPE = "type";
  /** The largest items document a store accepts, in bytes of JSON ({@code 64MiB} by default). */
  public static final String MAX_ITEMS_BYTES = "max_items_bytes";
  /** The option naming the storage to connect to, for backends that connect to one. */
  public static final String CONNECTION_STRING = "connection_string";
  /** The type used when the configuration names none: the embedded in-process store. */
  public static final String DEFAULT_TYPE = "memory";
  /** The default of {@link #MAX_ITEMS_BYTES}: 64 MiB. */
  public static final long DEFAULT_MAX_ITEMS_BYTES = 64L << 20;
  /** Keys every backend accepts. */
  public static final Set<String> COMMON_KEYS = Set.of(TYPE, MAX_ITEMS_BYTES);
  /** Prefix of the environment variables read by {@link #fromEnvironment}. */
  public static final String ENVIRONMENT_PREFIX = "CONVSTATE_";

  /**
   * {@code ${name}}, {@code $NAME} (upper case, as environment variables are named), or {@code $$}
   * before either (a literal {@code $}). Any other {@code $} is literal, so a secret such as
   * {@code pa$$w0rd} or {@code pa$word} arrives unchanged.
   */
  private static final Pattern VARIABLE =
      Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)}|([A-Z_][A-Z0-9_]*)|\\$(?=\\{|[A-Z_]))");
  /** The variable that stands in for {@code CONVSTATE_CONNECTION_STRING} (as Heroku and others set it). */
  public static final String DATABASE_URL = "DATABASE_URL";
  private static final Pattern BYTES = Pattern.compile("(\\d{1,15})\\s*(|b|kb|kib|mb|mib|gb|gib)");

  private final Map<String, String> values;
  /** Keys read from {@code CONVSTATE_*} variables: a dot in their real name is an underscore here. */
  private final Set<String> environmentKeys;

  private StoreConfig(Map<String, String> values, Set<String> environmentKeys) {
    this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    this.environmentKeys = Set.copyOf(environmentKeys);
  }

  /**
   * A configuration from a map, resolving {@code $VAR} references from the process environment.
   * Values may be of any type; they are converted with {@code String.valueOf}. Null values are
   * ignored.
   *
   * @throws ConfigurationException when a key is blank or a referenced variable is not set
   */
  public static StoreConfig of(Map<String, ?> config) {
    return of(config, System.getenv());
  }

  /**
   * As {@link #of(Map)}, resolving references from {@code environment} instead.
   *
   * @throws ConfigurationException when a key is blank or a referenced variable is not set
   */
  public static StoreConfig of(Map<String, ?> config, Map<String, String> environment) {
    Map<String, String> resolved = new TreeMap<>();
    for (Map.Entry<String, ?> entry : config.entrySet()) {
      String key = entry.getKey() == null ? "" : entry.getKey().strip();
      if (key.isEmpty()) {
        throw new ConfigurationException("A configuration key is blank");
      }
      if (entry.getValue() != null) {
        resolved.put(key, resolve(key, String.valueOf(entry.getValue()), environment));
      }
    }
    return new StoreConfig(resolved, Set.of());
  }

  /** As {@link #of(Map)}, from properties (for example a {@code convstate.properties} file). */
  public static StoreConfig of(Properties properties) {
    Map<String, String> map = new TreeMap<>();
    for (String name : properties.stringPropertyNames()) {
      map.put(name, properties.getProperty(name));
    }
    return of(map);
  }

  /**
   * A configuration from the {@code CONVSTATE_*} variables of {@code environment}:
   * {@code CONVSTATE_TYPE} is {@code type}, {@code CONVSTATE_CONNECTION_STRING} is
   * {@code connection_string}, {@code CONVSTATE_POOL_MAX_SIZE} is {@code pool.max_size} (a dot in a
   * key is an underscore in its variable). {@code DATABASE_URL} stands in for
   * {@code CONVSTATE_CONNECTION_STRING} when that is not set and the type is postgres or not set.
   * {@code $VAR} references are resolved from the same environment.
   */
  public static StoreConfig fromEnvironment(Map<String, String> environment) {
    Map<String, String> map = new TreeMap<>();
    for (Map.Entry<String, String> entry : environment.entrySet()) {
      if (entry.getKey().startsWith(ENVIRONMENT_PREFIX) && entry.getKey().length() > ENVIRONMENT_PREFIX.length()) {
        String key = entry.getKey().substring(ENVIRONMENT_PREFIX.length()).toLowerCase(Locale.ROOT);
        map.put(key, resolve(entry.getKey(), entry.getValue(), environment));
      }
    }
    String type = map.get(TYPE);
    String databaseUrl = environment.get(DATABASE_URL);
    if (!map.containsKey(CONNECTION_STRING) && databaseUrl != null && !databaseUrl.isBlank()
        && (type == null || type.strip().equals("postgres"))) {
      map.put(CONNECTION_STRING, resolve(DATABASE_URL, databaseUrl, environment));
    }
    return new StoreConfig(map, map.keySet());
  }

  /**
   * This configuration with every key of {@code overrides} replaced or added; for layering
   * sources (environment, then a file, then command-line flags).
   */
  public StoreConfig overriddenBy(StoreConfig overrides) {
    Map<String, String> merged = new TreeMap<>(values);
    merged.putAll(overrides.values);
    Set<String> fromEnvironment = new java.util.HashSet<>(environmentKeys);
    fromEnvironment.removeAll(overrides.values.keySet());
    fromEnvironment.addAll(overrides.environmentKeys);
    return new StoreConfig(merged, fromEnvironment);
  }

  /**
   * The type name. When {@code type} is absent, a {@code connection_string} names it by its scheme
   * ({@code postgresql://}, {@code postgres://} and {@code jdbc:postgresql:} are {@code postgres};
   * {@code redis://} and {@code rediss://} are {@code redis}); otherwise {@value #DEFAULT_TYPE}.
   */
  public String type() {
    String type = values.get(TYPE);
    if (type != null) {
      return type.strip();
    }
    String connection = get(CONNECTION_STRING).orElse("").strip().toLowerCase(Locale.ROOT);
    if (connection.startsWith("postgresql://") || connection.startsWith("postgres://") || connection.startsWith("jdbc:postgresql:")) {
      return "postgres";
    }
    if (connection.startsWith("redis://") || connection.startsWith("rediss://")) {
      return "redis";
    }
    return DEFAULT_TYPE;
  }

  /** The keys present, in order. */
  public Set<String> keys() {
    return values.keySet();
  }

  /**
   * The value of key, or empty when absent. A key read from a {@code CONVSTATE_*} variable is found
   * by its dotted name ({@code cache.delegate} for {@code CONVSTATE_CACHE_DELEGATE}).
   */
  public Optional<String> get(String key) {
    String value = values.get(key);
    if (value == null && environmentKeys.contains(key.replace('.', '_'))) {
      value = values.get(key.replace('.', '_'));
    }
    return Optional.ofNullable(value);
  }

  /**
   * The value of key.
   *
   * @throws ConfigurationException when absent or blank
   */
  public String require(String key) {
    String value = get(key).orElse(null);
    if (value == null || value.isBlank()) {
      throw new ConfigurationException(
          "The '" + type() + "' store needs option '" + key + "' (or variable " + variable(key) + ")");
    }
    return value;
  }

  /**
   * An integer option within [min, max].
   *
   * @throws ConfigurationException naming the key when the value is not such an integer
   */
  public int intValue(String key, int defaultValue, int min, int max) {
    String value = get(key).orElse(null);
    if (value == null) {
      return defaultValue;
    }
    try {
      int parsed = Integer.parseInt(value.strip());
      if (parsed >= min && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw invalid(key, value, "a whole number from " + min + " to " + max);
  }

  /**
   * A boolean option: {@code true} or {@code false}, in any case.
   *
   * @throws ConfigurationException naming the key for any other value
   */
  public boolean booleanValue(String key, boolean defaultValue) {
    String value = get(key).orElse(null);
    if (value == null) {
      return defaultValue;
    }
    switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw invalid(key, value, "true or false");
    }
  }

  /**
   * A duration option, in a form {@link Durations#parse} accepts.
   *
   * @throws ConfigurationException naming the key for any other value
   */
  public Duration duration(String key, Duration defaultValue) {
    String value = get(key).orElse(null);
    if (value == null) {
      return defaultValue;
    }
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw invalid(key, value, "a duration such as 30s, 5m, 12h, 7d or PT5M");
    }
  }

  /**
   * A size in bytes: a whole number, optionally with {@code B}, {@code KB}/{@code KiB},
   * {@code MB}/{@code MiB} or {@code GB}/{@code GiB} (all powers of 1024).
   *
   * @throws ConfigurationException naming the key for any other value, or a size under 1 byte
   */
  public long bytes(String key, long defaultValue) {
    String value = get(key).orElse(null);
    if (value == null) {
      return defaultValue;
    }
    Matcher matcher = BYTES.matcher(value.strip().toLowerCase(Locale.ROOT));
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      String unit = matcher.group(2);
      int shift = unit.startsWith("g") ? 30 : unit.startsWith("m") ? 20 : unit.startsWith("k") ? 10 : 0;
      if (amount > 0 && amount <= (Long.MAX_VALUE >> shift)) {
        return amount << shift;
      }
    }
    throw invalid(key, value, "a size in bytes such as 1048576, 512KiB or 64MiB");
  }

  /** {@value #MAX_ITEMS_BYTES}, {@link #DEFAULT_MAX_ITEMS_BYTES} when absent. */
  public long maxItemsBytes() {
    return bytes(MAX_ITEMS_BYTES, DEFAULT_MAX_ITEMS_BYTES);
  }

  /**
   * Checks that every key is one of {@code known} (plus {@link #COMMON_KEYS}), and returns the
   * configuration with keys read from environment variables mapped to their dotted names.
   *
   * @throws ConfigurationException naming each unknown key and the closest known one
   */
  public StoreConfig requireKnownKeys(Collection<String> known) {
    Set<String> all = new LinkedHashSet<>(COMMON_KEYS);
    all.addAll(known);
    Map<String, String> mapped = new TreeMap<>();
    StringBuilder unknown = new StringBuilder();
    // Keys given by name first, so that they win over a variable naming the same option.
    List<Map.Entry<String, String>> entries = new ArrayList<>(values.entrySet());
    entries.sort(Comparator.comparing(entry -> environmentKeys.contains(entry.getKey())));
    for (Map.Entry<String, String> entry : entries) {
      boolean fromEnvironment = environmentKeys.contains(entry.getKey());
      String key = fromEnvironment ? dotted(entry.getKey(), all) : entry.getKey();
      if (all.contains(key)) {
        mapped.putIfAbsent(key, entry.getValue());
      } else {
        String name = fromEnvironment ? variable(entry.getKey()) : "'" + key + "'";
        String closest = closest(key, all);
        unknown.append(unknown.length() == 0 ? "" : "; ")
            .append("unknown option ").append(name)
            .append(closest == null ? "" : ", did you mean '" + closest + "'" + (fromEnvironment ? " (" + variable(closest) + ")" : "") + "?");
      }
    }
    if (unknown.length() > 0) {
      throw new ConfigurationException(
          "Configuration of the '" + type() + "' store: " + unknown + (unknown.charAt(unknown.length() - 1) == '?' ? " " : ". ")
              + "Known options: " + String.join(", ", new TreeSet<>(all)));
    }
    return new StoreConfig(mapped, Set.of());
  }

  /**
   * The configuration of a store that a decorator wraps: every option but those starting with
   * {@code ownPrefix} ({@code cache.}; from a variable, {@code CONVSTATE_CACHE_}), with
   * {@code type} set to {@code delegateType}. Values stay as resolved; options from variables stay
   * known as such, so the delegate reads {@code CONVSTATE_POOL_MAX_SIZE} as {@code pool.max_size}.
   */
  public StoreConfig forDelegate(String delegateType, String ownPrefix) {
    String ownVariablePrefix = ownPrefix.replace('.', '_');
    Map<String, String> delegate = new TreeMap<>();
    Set<String> delegateEnvironmentKeys = new LinkedHashSet<>();
    values.forEach((key, value) -> {
      boolean fromEnvironment = environmentKeys.contains(key);
      if (!key.startsWith(fromEnvironment ? ownVariablePrefix : ownPrefix) && !key.equals(TYPE)) {
        delegate.put(key, value);
        if (fromEnvironment) {
          delegateEnvironmentKeys.add(key);
        }
      }
    });
    delegate.put(TYPE, delegateType);
    return new StoreConfig(delegate, delegateEnvironmentKeys);
  }

  /** The values with secrets masked, e.g. {@code {connection_string=postgresql://app:****@db/x, type=postgres}}. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("{");
    values.forEach((key, value) ->
        text.append(text.length() == 1 ? "" : ", ").append(key).append('=').append(Secrets.mask(key, value)));
    return text.append('}').toString();
  }

  private ConfigurationException invalid(String key, String value, String expected) {
    return new ConfigurationException(
        "Option '" + key + "' is '" + Secrets.mask(key, value) + "'; expected " + expected);
  }

  private static String resolve(String key, String value, Map<String, String> environment) {
    if (value.indexOf('$') < 0) {
      return value;
    }
    Matcher matcher = VARIABLE.matcher(value);
    StringBuilder resolved = new StringBuilder();
    while (matcher.find()) {
      String replacement;
      if (matcher.group(1) == null && matcher.group(2) == null) {
        replacement = "$";
      } else {
        String name = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
        replacement = environment.get(name);
        if (replacement == null) {
          throw new ConfigurationException(
              "Option '" + key + "' refers to environment variable " + name + ", which is not set");
        }
      }
      matcher.appendReplacement(resolved, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(resolved);
    return resolved.toString();
  }

  private static String dotted(String underscored, Set<String> known) {
    for (String key : known) {
      if (key.replace('.', '_').equals(underscored)) {
        return key;
      }
    }
    return underscored;
  }

  private static String variable(String key) {
    return ENVIRONMENT_PREFIX + key.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /**
   * The known name nearest to {@code key} by edit distance (case aside), or null when none is near
   * enough to help: within 2 edits, or a third of the key's length. For "did you mean" messages.
   */
  public static String closest(String key, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = editDistance(key.toLowerCase(Locale.ROOT), candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return bestDistance <= Math.max(2, key.length() / 3) ? best : null;
  }

  /** The Levenshtein distance between two strings. */
  public static int editDistance(String a, String b) {
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
