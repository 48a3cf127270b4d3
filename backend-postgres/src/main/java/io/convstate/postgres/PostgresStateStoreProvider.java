package io.convstate.postgres;

import com.google.auto.service.AutoService;
import io.convstate.StateStore;
import io.convstate.StateStoreProviders;
import io.convstate.StoreConfig;
import io.convstate.spi.StateStoreProvider;
import io.convstate.spi.StoreInspection;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * Provides {@link PostgresStateStore} as type {@value #TYPE}. Options: {@code connection_string}
 * (required), {@code user}, {@code password}, {@code layout}, {@code table}, {@code schema.create}, {@code pooler}, {@code access},
 * {@code pool.*}, {@code retention}, {@code cleanup.*}, {@code socket_timeout}, {@code statement_timeout},
 * {@code notify.connection_string}; see the README.
 */
@AutoService(StateStoreProvider.class)
public final class PostgresStateStoreProvider implements StateStoreProvider {

  /** The type name: {@value}. */
  public static final String TYPE = "postgres";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Set<String> optionKeys() {
    return PostgresOptions.KEYS;
  }

  @Override
  public StateStore open(StoreConfig config) {
    return new PostgresStateStore(config, Clock.systemUTC());
  }

  /** {@link PostgresAdmin}: the layout's tables checked, and what they hold. */
  @Override
  public Optional<StoreInspection> inspect(StoreConfig config, StateStoreProviders providers) {
    return Optional.of(PostgresAdmin.connect(config));
  }
}
