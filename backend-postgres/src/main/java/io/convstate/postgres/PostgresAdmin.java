package io.convstate.postgres;

import io.convstate.ConfigurationException;
import io.convstate.StoreConfig;
import io.convstate.Validation;
import io.convstate.spi.StoreInspection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * The operator's work on the tables of either layout, over one plain connection (no pool): create
 * or complete them, verify them as the seed's Verification and Troubleshooting sections do, count
 * what a cleanup would delete, summarise what they hold, and copy a seed table into a turns table.
 * Not thread-safe; close it after use.
 */
public final class PostgresAdmin implements StoreInspection {

  /** A problem {@link #verify()} found, and the SQL or step that fixes it. */
  public static final class Finding implements StoreInspection.Finding {

    /** What kind of problem it is. */
    public enum Kind {
      /** A table is missing, or has the other layout. */
      TABLE,
      /** A column is missing: {@link #migrate} adds it. */
      MISSING_COLUMN,
      /** A column has another type than the layout's: only the ALTER of {@link #fix} changes it. */
      COLUMN_TYPE,
      /** A column allows NULL, or the primary key is not the layout's. */
      CONSTRAINT,
      /** An index or the turn layout's read-only view is missing, or a column compresses with pglz: {@link #migrate} fixes it. */
      RECREATABLE,
      /** The role lacks a privilege. */
      PRIVILEGE
    }

    private final Kind kind;
    private final String problem;
    private final String fix;

    Finding(Kind kind, String problem, String fix) {
      this.kind = kind;
      this.problem = problem;
      this.fix = fix;
    }

    public Kind kind() {
      return kind;
    }

    public String problem() {
      return problem;
    }

    public String fix() {
      return fix;
    }

    @Override
    public String toString() {
      return problem + " Fix: " + fix;
    }
  }

  /** What the tables hold. */
  public static final class Summary {
    /** Turns (rows of the seed layout: responses), deleted ones included. */
    public final long turns;
    /** Deleted responses kept as tombstones. */
    public final long deleted;
    /** Conversations. */
    public final long conversations;
    /** Bytes of the stored (possibly compressed) items. */
    public final long itemsBytes;
    /** Bytes on disk of the tables with their indexes and TOAST data. */
    public final long tableBytes;
    /** Oldest and newest recorded_at (seed layout: updated_at); null when empty. */
    public final Instant oldest;
    public final Instant newest;
    public final Map<String, Long> byProvider;
    public final Map<String, Long> byModel;

    Summary(long turns, long deleted, long conversations, long itemsBytes, long tableBytes, Instant oldest, Instant newest,
        Map<String, Long> byProvider, Map<String, Long> byModel) {
      this.turns = turns;
      this.deleted = deleted;
      this.conversations = conversations;
      this.itemsBytes = itemsBytes;
      this.tableBytes = tableBytes;
      this.oldest = oldest;
      this.newest = newest;
      this.byProvider = byProvider;
      this.byModel = byModel;
    }
  }

  /** Told how far a {@link #copyToTurns} has come. */
  @FunctionalInterface
  public interface CopyProgress {
    /**
     * @param phase {@code copy}, then {@code verify}
     * @param seedRows seed rows done so far in this phase
     */
    void update(String phase, long seedRows);
  }

  /**
   * What {@link #copyToTurns} did.
   *
   * @param seedRows rows read from the seed table
   * @param rowsWithTurns rows copied turn by turn from their {@code turns} column
   * @param rowsAsOneTurn rows without one (written by another tool), copied as one first turn each
   * @param turnsInserted turns this run inserted
   * @param turnsAlreadyThere turns of the copied chains the target held already (an earlier run, or
   *     the store)
   * @param rowsVerified rows whose response reads in the turns table with the same history items
   *     (deleted rows: is there as a tombstone)
   * @param rowsMissing rows whose response is not in the turns table as it should be
   * @param rowsDifferent rows whose response reads with other items
   * @param problems up to 20 response ids with what is wrong, for a look
   */
  public record CopyReport(long seedRows, long rowsWithTurns, long rowsAsOneTurn, long turnsInserted,
      long turnsAlreadyThere, long rowsVerified, long rowsMissing, long rowsDifferent, List<String> problems) {

    /** Whether every seed row was found as it should be. */
    public boolean verified() {
      return rowsMissing == 0 && rowsDifferent == 0 && rowsVerified == seedRows;
    }
  }

  private static final String TIMESTAMP = "timestamp without time zone";

  private final Connection connection;
  private final PostgresOptions options;
  private final Layout layout;
  private final TableName table;
  private final String description;
  private final SqlErrors errors;

  private PostgresAdmin(Connection connection, PostgresOptions options) {
    this.connection = connection;
    this.options = options;
    this.layout = options.layout;
    this.table = options.table;
    this.description = options.connection.description();
    this.errors = new SqlErrors(options.connection, options.layout, options.table);
  }

  /**
   * Connects with the postgres store's options ({@code connection_string}, {@code user},
   * {@code password}, {@code layout}, {@code table}).
   *
   * @throws ConfigurationException for a bad option
   * @throws io.convstate.StorageUnavailableException when the server cannot be reached
   */
  public static PostgresAdmin connect(StoreConfig config) {
    PostgresOptions options = new PostgresOptions(config);
    ConnectionSettings settings = options.connection;
    Properties properties = settings.properties();
    if (settings.user() != null) {
      properties.setProperty("user", settings.user());
    }
    if (settings.password() != null) {
      properties.setProperty("password", settings.password());
    }
    properties.putIfAbsent("ApplicationName", "convstate-cli");
    if (options.transactionPooler) {
      properties.setProperty("prepareThreshold", "0");
    }
    try {
      return new PostgresAdmin(DriverManager.getConnection(settings.jdbcUrl(), properties), options);
    } catch (SQLException e) {
      throw new SqlErrors(settings, options.layout, options.table).translate("connect", e);
    }
  }

  /** Where this is connected (hosts, database, user; never the password), the table and its layout. */
  @Override
  public String description() {
    return description + ", table " + table + " (layout " + layout + ")";
  }

  /** The configured layout. */
  public Layout layout() {
    return layout;
  }

  /**
   * Creates what is missing of the layout's tables, as the layout's create script does: for the seed
   * layout it also adds the columns convstate 0.2 needs to an existing table; for both it sets the
   * item columns' compression to lz4. When the tables exist and nothing the script adds is missing,
   * it changes nothing, so a role without CREATE on the schema (or that does not own the tables)
   * can run it. It is idempotent. Wrong column types are not its business: {@link #verify} names
   * them with their fix.
   *
   * @return true when the table did not exist before
   * @throws ConfigurationException when the table has the other layout, or the role may not make
   *     the changes needed (naming the GRANT, or the owner to run it as)
   */
  public boolean migrate() {
    try {
      Set<String> columns = Schema.columns(connection, table);
      boolean existed = Schema.exists(connection, table);
      if (!columns.isEmpty() && columns.contains("output_items") != (layout == Layout.TURNS)) {
        throw new ConfigurationException("Table '" + table + "' has the "
            + (layout == Layout.TURNS ? "conversation_states" : "turns") + " layout; set option layout="
            + (layout == Layout.TURNS ? "conversation_states" : "turns") + " to migrate it, or name another table.");
      }
      List<TableName> tables = layout == Layout.TURNS ? List.of(table, TurnTable.conversationsTable(table)) : List.of(table);
      boolean allExist = true;
      for (TableName each : tables) {
        allExist &= Schema.exists(connection, each);
      }
      if (allExist) {
        List<String> toDo = new ArrayList<>();
        for (Finding finding : verify()) {
          if (finding.kind() == Finding.Kind.MISSING_COLUMN || finding.kind() == Finding.Kind.RECREATABLE) {
            toDo.add(finding.problem());
          }
        }
        if (toDo.isEmpty()) {
          return false;
        }
        for (TableName each : tables) {
          String owner = ownerUnlessMine(each);
          if (owner != null) {
            throw new ConfigurationException("Table '" + each + "' needs changes only its owner can make ("
                + String.join(" ", toDo) + "). Run convstate migrate as role '" + owner + "' (the owner).");
          }
        }
      } else {
        String role = currentUser();
        String schema = table.schema();
        try (PreparedStatement statement = connection.prepareStatement(
            "SELECT coalesce(?, current_schema()), has_schema_privilege(coalesce(?, current_schema()), 'CREATE')")) {
          statement.setString(1, schema);
          statement.setString(2, schema);
          try (ResultSet row = statement.executeQuery()) {
            row.next();
            if (!row.getBoolean(2)) {
              String name = row.getString(1);
              throw new ConfigurationException("Role '" + role + "' may not create tables in schema '" + name + "', and table '"
                  + (existed ? TurnTable.conversationsTable(table) : table) + "' does not exist. As the schema's owner: GRANT CREATE ON SCHEMA "
                  + name + " TO " + role + "; or run convstate migrate as a role that may create tables there.");
            }
          }
        }
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute(Schema.render(layout.createScript(), layout, table));
      }
      return !existed;
    } catch (SQLException e) {
      throw errors.translate("migrate", e);
    }
  }

  /** The problems {@link #migrate} leaves: columns of the wrong type (each with its fix); empty when there are none. */
  public List<Finding> wrongTypes() {
    List<Finding> wrong = new ArrayList<>();
    for (Finding finding : verify()) {
      if (finding.kind() == Finding.Kind.COLUMN_TYPE) {
        wrong.add(finding);
      }
    }
    return wrong;
  }

  private String currentUser() throws SQLException {
    try (Statement statement = connection.createStatement(); ResultSet row = statement.executeQuery("SELECT current_user")) {
      row.next();
      return row.getString(1);
    }
  }

  /** The owner of {@code of}, or null when the current role is it or a member of it. */
  private String ownerUnlessMine(TableName of) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement("SELECT pg_get_userbyid(relowner),"
        + " pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(?)")) {
      statement.setString(1, of.sql());
      try (ResultSet row = statement.executeQuery()) {
        return row.next() && !row.getBoolean(2) ? row.getString(1) : null;
      }
    }
  }

  /** Every problem with the layout's tables, each with its fix; empty when they are as convstate needs them. */
  @Override
  public List<Finding> verify() {
    try {
      return layout == Layout.TURNS ? verifyTurns() : verifySeed();
    } catch (SQLException e) {
      throw errors.translate("verify", e);
    }
  }

  private List<Finding> verifyTurns() throws SQLException {
    List<Finding> findings = new ArrayList<>();
    TableName conversations = TurnTable.conversationsTable(table);
    Map<String, String> actual = columnTypes(table);
    if (!actual.isEmpty() && !actual.containsKey("output_items") && actual.containsKey("updated_at")) {
      findings.add(new Finding(Finding.Kind.TABLE, "Table '" + table + "' has the conversation_states layout, not the turns layout.",
          "set option layout=conversation_states, or copy it into a turns table (convstate copy-to-turns)"));
      return findings;
    }
    for (TableName each : List.of(table, conversations)) {
      if (!Schema.exists(connection, each)) {
        findings.add(new Finding(Finding.Kind.TABLE, "Table '" + each + "' does not exist.",
            "convstate migrate, or psql -f conversation_turns.sql (io/convstate/postgres/ in convstate-backend-postgres)"));
      }
    }
    if (!findings.isEmpty()) {
      return findings;
    }
    Map<String, String> turnColumns = new LinkedHashMap<>();
    String[] types = {"text", "text", "text", "integer", "text", "jsonb", "jsonb", "text", "text", "bigint", "bigint",
        "jsonb", TIMESTAMP, "boolean"};
    for (int i = 0; i < Schema.TURN_COLUMNS.size(); i++) {
      turnColumns.put(Schema.TURN_COLUMNS.get(i), types[i]);
    }
    checkColumns(findings, table, turnColumns, Set.of("previous_response_id", "owner", "metadata"));
    checkColumns(findings, conversations, Map.of("conversation_id", "text", "last_activity", TIMESTAMP), Set.of());
    checkPrimaryKey(findings, table, "response_id");
    checkPrimaryKey(findings, conversations, "conversation_id");
    checkIndex(findings, table, "conversation_id", "cleanup finds a conversation's turns by it");
    checkIndex(findings, conversations, "last_activity", "cleanup scans the table without it");
    checkCompression(findings, table, List.of("input_items", "output_items"));
    TableName view = table.withSuffix("states");
    if (!Schema.exists(connection, view)) {
      findings.add(new Finding(Finding.Kind.RECREATABLE, "The read-only view " + view + " is missing (the seed's"
          + " verification queries and tools that only read use it).", "convstate migrate"));
    }
    checkPrivileges(findings, table);
    checkPrivileges(findings, conversations);
    return findings;
  }

  private List<Finding> verifySeed() throws SQLException {
    List<Finding> findings = new ArrayList<>();
    if (!Schema.exists(connection, table)) {
      findings.add(new Finding(Finding.Kind.TABLE, "Table '" + table + "' does not exist.",
          "convstate migrate, or psql -f conversation_states.sql (io/convstate/postgres/ in convstate-backend-postgres)"));
      return findings;
    }
    Map<String, String> actual = columnTypes(table);
    if (actual.containsKey("output_items")) {
      findings.add(new Finding(Finding.Kind.TABLE, "Table '" + table + "' has the turns layout, not the conversation_states layout.",
          "set option layout=turns (the default)"));
      return findings;
    }
    Map<String, String> seedColumns = new LinkedHashMap<>();
    seedColumns.put("response_id", "text");
    seedColumns.put("input_items", "jsonb");
    seedColumns.put("created_at", "bigint");
    seedColumns.put("model", "text");
    seedColumns.put("provider", "text");
    seedColumns.put("updated_at", TIMESTAMP);
    seedColumns.put("owner", "text");
    seedColumns.put("previous_response_id", "text");
    seedColumns.put("conversation_id", "text");
    seedColumns.put("deleted", "boolean");
    seedColumns.put("turns", "jsonb");
    checkColumns(findings, table, seedColumns,
        Set.of("updated_at", "owner", "previous_response_id", "conversation_id", "turns"));
    checkPrimaryKey(findings, table, "response_id");
    for (String column : List.of("created_at", "provider", "updated_at")) {
      checkIndex(findings, table, column, column.equals("updated_at") ? "cleanup scans the table without it" : null);
    }
    boolean conversationIndex = false;
    try (PreparedStatement statement = connection.prepareStatement(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = to_regclass(?)")) {
      statement.setString(1, table.sql());
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          conversationIndex |= rows.getString(1).toLowerCase(Locale.ROOT).contains("coalesce(conversation_id, response_id)");
        }
      }
    }
    if (!conversationIndex && actual.containsKey("conversation_id")) {
      findings.add(new Finding(Finding.Kind.RECREATABLE, "No index on (coalesce(conversation_id, response_id), updated_at) (cleanup checks each"
          + " conversation's latest row with it).", "convstate migrate"));
    }
    checkCompression(findings, table, List.of("input_items"));
    checkPrivileges(findings, table);
    return findings;
  }

  /**
   * How many turns (seed layout: rows) a cleanup with this cutoff would delete: those of
   * conversations whose last activity is before it.
   */
  public long countInactiveBefore(Instant cutoff) {
    Validation.requireCutoff(cutoff);
    String sql = layout == Layout.TURNS
        ? "SELECT count(*) FROM " + table.sql() + " t JOIN " + TurnTable.conversationsTable(table).sql()
            + " c ON c.conversation_id = t.conversation_id WHERE c.last_activity < ?"
        : "SELECT count(*) FROM " + table.sql() + " s WHERE s.updated_at < ? AND NOT EXISTS (SELECT 1 FROM " + table.sql()
            + " n WHERE coalesce(n.conversation_id, n.response_id) = coalesce(s.conversation_id, s.response_id)"
            + " AND n.updated_at >= ?)";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      LocalDateTime before = UtcTimes.cutoff(cutoff);
      for (int i = 1; i <= statement.getParameterMetaData().getParameterCount(); i++) {
        statement.setObject(i, before);
      }
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    } catch (SQLException e) {
      throw errors.translate("count", e);
    }
  }

  @Override
  public String checks() {
    return "tables, columns, types, primary keys, indexes and privileges";
  }

  /** {@link #summary()} as lines: counts, sizes, oldest and newest, counts per provider and model. */
  @Override
  public List<String> stats() {
    Summary summary = summary();
    List<String> lines = new ArrayList<>();
    lines.add(String.format(Locale.ROOT, "turns:          %d (%d of them deleted, kept for the histories that continue them)",
        summary.turns, summary.deleted));
    lines.add("conversations:  " + summary.conversations);
    lines.add("items size:     " + bytes(summary.itemsBytes) + " (stored, after compression)");
    lines.add("table size:     " + bytes(summary.tableBytes) + " (with indexes and TOAST)");
    lines.add("oldest:         " + (summary.oldest == null ? "-" : summary.oldest) + " (recorded)");
    lines.add("newest:         " + (summary.newest == null ? "-" : summary.newest));
    lines.add("per provider:");
    summary.byProvider.forEach((name, count) -> lines.add(String.format(Locale.ROOT, "  %-30s %d", name, count)));
    lines.add("per model:");
    summary.byModel.forEach((name, count) -> lines.add(String.format(Locale.ROOT, "  %-30s %d", name, count)));
    return lines;
  }

  /** {@code 1.5 MiB}: bytes in binary units, one decimal. */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
    return String.format(Locale.ROOT, "%.1f %siB", bytes / (double) (1L << (unit * 10)), "KMGTPE".charAt(unit - 1));
  }

  /** Counts, sizes, oldest and newest, and counts per provider and model. */
  public Summary summary() {
    boolean turnsLayout = layout == Layout.TURNS;
    String items = turnsLayout ? "pg_column_size(input_items) + pg_column_size(output_items)" : "pg_column_size(input_items)";
    String time = turnsLayout ? "recorded_at" : "updated_at";
    try (Statement statement = connection.createStatement()) {
      long turns;
      long deleted;
      long itemsBytes;
      LocalDateTime oldest;
      LocalDateTime newest;
      long conversations;
      try (ResultSet row = statement.executeQuery("SELECT count(*), count(*) FILTER (WHERE deleted),"
          + " coalesce(sum(" + items + "), 0), min(" + time + "), max(" + time + ")"
          + (turnsLayout ? "" : ", count(DISTINCT coalesce(conversation_id, response_id))") + " FROM " + table.sql())) {
        row.next();
        turns = row.getLong(1);
        deleted = row.getLong(2);
        itemsBytes = row.getLong(3);
        oldest = row.getObject(4, LocalDateTime.class);
        newest = row.getObject(5, LocalDateTime.class);
        conversations = turnsLayout ? 0 : row.getLong(6);
      }
      long tableBytes = totalSize(statement, table);
      if (turnsLayout) {
        TableName conversationsTable = TurnTable.conversationsTable(table);
        try (ResultSet row = statement.executeQuery("SELECT count(*) FROM " + conversationsTable.sql())) {
          row.next();
          conversations = row.getLong(1);
        }
        tableBytes += totalSize(statement, conversationsTable);
      }
      return new Summary(turns, deleted, conversations, itemsBytes, tableBytes,
          oldest == null ? null : oldest.toInstant(ZoneOffset.UTC), newest == null ? null : newest.toInstant(ZoneOffset.UTC),
          counts(statement, "provider"), counts(statement, "model"));
    } catch (SQLException e) {
      throw errors.translate("stats", e);
    }
  }

  /**
   * Copies every row of a seed-layout table into a turns-layout table (created when missing), then
   * verifies that every seed row's response reads in the turns table with the same history items.
   * Batches by keyset on {@code response_id}, each its own transaction; turns already in the target
   * are kept, so running it again after a failure resumes where it stopped (rows are read again,
   * nothing is written twice). Rows with a {@code turns} column become their chain's turns, the
   * others one first turn each (their input is all their items). Run it while no store writes to
   * the seed table, or run it again after the last write.
   *
   * @param seedTable the source: a conversation_states-layout table (name or schema.name); when it
   *     lacks the columns convstate 0.2 adds, they are added first, as {@link #migrate} does (additive,
   *     rows untouched)
   * @param turnsTable the target: a turns-layout table, created (with its conversations table) when
   *     missing
   * @param batchSize seed rows per batch, 1 to 100,000 (each row holds a whole history: a few hundred
   *     is plenty)
   * @param progress told the phase and the rows done after each batch; may be a no-op
   * @throws ConfigurationException when a table name is invalid, the source does not exist or is not
   *     a seed table, or the target is not a turns table
   * @throws io.convstate.StorageException when the database fails (the batches committed so far stay)
   */
  public CopyReport copyToTurns(String seedTable, String turnsTable, int batchSize, CopyProgress progress) {
    TableName seed = TableName.parse(Objects.requireNonNull(seedTable, "seedTable"));
    TableName target = TableName.parse(Objects.requireNonNull(turnsTable, "turnsTable"));
    TurnTable.conversationsTable(target);
    Objects.requireNonNull(progress, "progress");
    if (batchSize < 1 || batchSize > 100_000) {
      throw new ConfigurationException("The copy's batch size is " + batchSize + "; it must be between 1 and 100000");
    }
    SqlErrors copyErrors = new SqlErrors(options.connection, Layout.TURNS, target);
    try {
      Set<String> seedColumns = Schema.columns(connection, seed);
      if (seedColumns.isEmpty()) {
        throw new ConfigurationException(SqlErrors.missingTable(Layout.CONVERSATION_STATES, seed));
      }
      if (seedColumns.contains("output_items") || !seedColumns.containsAll(Schema.SEED_COLUMNS)) {
        throw new ConfigurationException("Table '" + seed + "' is not a conversation_states-layout table.");
      }
      if (!seedColumns.containsAll(Schema.SEED_ADDED_COLUMNS)) {
        // The copy reads the 0.2 columns; adding them is additive and leaves the rows as they are.
        try (Statement statement = connection.createStatement()) {
          statement.execute(Schema.render(Layout.CONVERSATION_STATES.createScript(), Layout.CONVERSATION_STATES, seed));
        }
      }
      Set<String> targetColumns = Schema.columns(connection, target);
      if (!targetColumns.isEmpty() && !targetColumns.containsAll(Schema.TURN_COLUMNS)) {
        throw new ConfigurationException("Table '" + target + "' exists but is not a turns-layout table.");
      }
      Schema.runCreateScript(connection, Layout.TURNS, target);
      return new SeedCopy(connection, Clock.systemUTC(), seed, target, batchSize, progress).run();
    } catch (SQLException e) {
      throw copyErrors.translate("copy-to-turns", e);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // closing a connection that failed is not worth reporting
    }
  }

  private static long totalSize(Statement statement, TableName table) throws SQLException {
    try (ResultSet row = statement.executeQuery("SELECT pg_total_relation_size('" + table.sql().replace("'", "''") + "')")) {
      row.next();
      return row.getLong(1);
    }
  }

  private Map<String, Long> counts(Statement statement, String column) throws SQLException {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (ResultSet rows = statement.executeQuery(
        "SELECT " + column + ", count(*) FROM " + table.sql() + " GROUP BY 1 ORDER BY 2 DESC, 1")) {
      while (rows.next()) {
        counts.put(rows.getString(1), rows.getLong(2));
      }
    }
    return counts;
  }

  private Map<String, String> columnTypes(TableName of) throws SQLException {
    Map<String, String> types = new LinkedHashMap<>();
    query("SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
        + " WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped", of,
        row -> types.put(row.getString(1), row.getString(2)));
    return types;
  }

  private void checkColumns(List<Finding> findings, TableName of, Map<String, String> expected, Set<String> nullable)
      throws SQLException {
    Map<String, String> actual = new LinkedHashMap<>();
    Set<String> notNull = new HashSet<>();
    query("SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute"
        + " WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped", of, row -> {
          actual.put(row.getString(1), row.getString(2));
          if (row.getBoolean(3)) {
            notNull.add(row.getString(1));
          }
        });
    expected.forEach((column, type) -> {
      String found = actual.get(column);
      if (found == null) {
        findings.add(new Finding(Finding.Kind.MISSING_COLUMN, "Column '" + column + "' of " + of + " is missing.",
            "convstate migrate" + (layout == Layout.CONVERSATION_STATES ? " (adds the columns convstate 0.2 needs)" : "")
                + ", or ALTER TABLE " + of + " ADD COLUMN " + column + " " + columnDefinition(column, type) + ";"));
      } else if (!found.equals(type)) {
        findings.add(new Finding(Finding.Kind.COLUMN_TYPE, "Column '" + column + "' of " + of + " is " + found + ", not " + type + ".",
            typeFix(of, column, found, type)));
      } else if (!nullable.contains(column) && !notNull.contains(column)) {
        findings.add(new Finding(Finding.Kind.CONSTRAINT, "Column '" + column + "' of " + of + " allows NULL.",
            "ALTER TABLE " + of + " ALTER COLUMN " + column + " SET NOT NULL;"));
      }
    });
  }

  /**
   * The ALTER TABLE that changes a column's type keeping its values; on the turn layout's table it
   * drops the read-only view first (PostgreSQL refuses to change a column a view uses) and says to
   * run migrate after, which creates the view again.
   */
  private String typeFix(TableName of, String column, String found, String type) {
    String alter = "ALTER TABLE " + of + " ALTER COLUMN " + column + " TYPE " + type + " USING " + conversion(column, found, type) + ";";
    if (layout == Layout.TURNS && of.toString().equals(table.toString())) {
      TableName view = table.withSuffix("states");
      return "DROP VIEW IF EXISTS " + view + "; " + alter + " then convstate migrate (it creates the view " + view
          + " again). Run as the table's owner: it keeps the rows";
    }
    return alter + " (run as the table's owner: it keeps the rows)";
  }

  /** A missing column's definition as the shipped scripts add it (a NOT NULL column without default only as nullable). */
  private static String columnDefinition(String column, String type) {
    return column.equals("deleted") ? "BOOLEAN NOT NULL DEFAULT false" : type.toUpperCase(Locale.ROOT);
  }

  /**
   * The USING expression that converts a column of type {@code found} to {@code type} keeping its
   * values: epoch seconds from a timestamp, UTC wall-clock time from a TIMESTAMPTZ (not the
   * session's zone), jsonb from json or text.
   */
  static String conversion(String column, String found, String type) {
    boolean fromTimestamp = found.startsWith("timestamp") || found.equals("date");
    boolean fromNumber = found.equals("bigint") || found.equals("integer") || found.equals("numeric")
        || found.startsWith("numeric(") || found.equals("double precision");
    if (type.equals("bigint") && fromTimestamp) {
      return "(extract(epoch FROM " + column + "))::bigint";
    }
    if (type.equals(TIMESTAMP) && found.equals("timestamp with time zone")) {
      return column + " AT TIME ZONE 'UTC'";
    }
    if (type.equals(TIMESTAMP) && fromNumber) {
      return "to_timestamp(" + column + ") AT TIME ZONE 'UTC'";
    }
    return column + "::" + type;
  }

  private void checkPrimaryKey(List<Finding> findings, TableName of, String column) throws SQLException {
    List<String> primaryKey = new ArrayList<>();
    query("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
        + " WHERE i.indrelid = to_regclass(?) AND i.indisprimary", of, row -> primaryKey.add(row.getString(1)));
    if (!primaryKey.equals(List.of(column))) {
      findings.add(new Finding(Finding.Kind.CONSTRAINT, "The primary key of " + of + " is " + (primaryKey.isEmpty() ? "missing" : primaryKey)
          + ", not (" + column + "): recording needs it.", "ALTER TABLE " + of + " ADD PRIMARY KEY (" + column + ");"));
    }
  }

  private void checkIndex(List<Finding> findings, TableName of, String column, String why) throws SQLException {
    Set<String> indexed = new HashSet<>();
    query("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
        + " WHERE i.indrelid = to_regclass(?)", of, row -> indexed.add(row.getString(1)));
    if (!indexed.contains(column)) {
      findings.add(new Finding(Finding.Kind.RECREATABLE, "No index on " + column + " of " + of + (why == null ? "." : " (" + why + ")."),
          "CREATE INDEX IF NOT EXISTS idx_" + of.table() + "_" + column + " ON " + of + " (" + column + "); or convstate migrate"));
    }
  }

  /** The item columns compress with lz4 where the server has it (as the shipped scripts set them). */
  private void checkCompression(List<Finding> findings, TableName of, List<String> columns) throws SQLException {
    boolean lz4 = false;
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")) {
      lz4 = row.next() && row.getBoolean(1);
    }
    if (!lz4) {
      return;
    }
    for (String column : columns) {
      String[] compression = new String[1];
      query("SELECT attcompression FROM pg_attribute WHERE attrelid = to_regclass(?) AND attname = '" + column + "'", of,
          row -> compression[0] = row.getString(1));
      if (compression[0] != null && !compression[0].equals("l")) {
        findings.add(new Finding(Finding.Kind.RECREATABLE, "Column " + column + " of " + of + " compresses with the default pglz, not lz4 (slower"
            + " and larger on these items; new values only).",
            "convstate migrate, or ALTER TABLE " + of + " ALTER COLUMN " + column + " SET COMPRESSION lz4;"));
      }
    }
  }

  private void checkPrivileges(List<Finding> findings, TableName of) throws SQLException {
    List<String> missing = new ArrayList<>();
    String[] role = new String[1];
    query("SELECT has_table_privilege(to_regclass(?), 'SELECT'), has_table_privilege(to_regclass(?), 'INSERT'),"
        + " has_table_privilege(to_regclass(?), 'UPDATE'), has_table_privilege(to_regclass(?), 'DELETE'), current_user", of, row -> {
          String[] names = {"SELECT", "INSERT", "UPDATE", "DELETE"};
          for (int i = 0; i < names.length; i++) {
            if (!row.getBoolean(i + 1)) {
              missing.add(names[i]);
            }
          }
          role[0] = row.getString(5);
        });
    if (!missing.isEmpty()) {
      findings.add(new Finding(Finding.Kind.PRIVILEGE, "Role '" + role[0] + "' lacks " + String.join(", ", missing) + " on " + of + ".",
          "GRANT SELECT, INSERT, UPDATE, DELETE ON " + of + " TO " + role[0] + "; (as the table's owner)"));
    }
  }

  private interface RowHandler {
    void handle(ResultSet row) throws SQLException;
  }

  /** Runs a query whose every {@code ?} is the table's name, handling each row. */
  private void query(String sql, TableName of, RowHandler handler) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 1; i <= statement.getParameterMetaData().getParameterCount(); i++) {
        statement.setString(i, of.sql());
      }
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          handler.handle(rows);
        }
      }
    }
  }
}
