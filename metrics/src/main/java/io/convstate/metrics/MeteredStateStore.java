package io.convstate.metrics;

import io.convstate.History;
import io.convstate.ItemPage;
import io.convstate.ItemQuery;
import io.convstate.StateStore;
import io.convstate.Turn;
import io.convstate.spi.BatchedCleanup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A {@link StateStore} that times every call of the store it wraps in a Micrometer registry.
 *
 * <p><b>Meters.</b> A {@link Timer} {@value #TIMER} per call, tagged {@code operation}
 * ({@code record}, {@code history}, {@code turn}, {@code input_items}, {@code delete},
 * {@code cleanup}, {@code ping}, {@code check_recordable}), {@code backend} and {@code outcome}:
 * {@code success}, {@code absent} (a read that found nothing, a delete of nothing) or {@code error}
 * (the call threw). Each throw also counts in {@value #ERRORS}, tagged {@code operation},
 * {@code backend} and {@code exception} (the exception's simple class name, never its message).
 * The wrapper's extra tags go on every meter. Meters are registered on first use.
 *
 * <p><b>Transparency.</b> Every method, {@link #ping} and {@link #close} included, is delegated
 * once with the same arguments, and returns exactly what the wrapped store returned or throws
 * exactly what it threw. Nothing is checked or cached here. {@link #close} is not timed.
 *
 * <p><b>Batched cleanup.</b> This class always implements {@link BatchedCleanup}: a wrapped store
 * that has it reports its batches; any other cleans up in one call and reports its total once.
 *
 * <p><b>Threads.</b> As safe as the wrapped store; the meters are thread-safe.
 */
public final class MeteredStateStore implements StateStore, BatchedCleanup {

  /** The name of the per-call timer. */
  public static final String TIMER = "convstate.store";
  /** The name of the error counter. */
  public static final String ERRORS = "convstate.store.errors";

  private final StateStore delegate;
  private final MeterRegistry registry;
  private final Tags tags;
  private final Operation record = new Operation("record");
  private final Operation history = new Operation("history");
  private final Operation turn = new Operation("turn");
  private final Operation inputItems = new Operation("input_items");
  private final Operation delete = new Operation("delete");
  private final Operation cleanup = new Operation("cleanup");
  private final Operation ping = new Operation("ping");
  private final Operation checkRecordable = new Operation("check_recordable");

  private MeteredStateStore(StateStore delegate, MeterRegistry registry, String backend, Iterable<Tag> extraTags) {
    this.delegate = Objects.requireNonNull(delegate, "store");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.tags = Tags.of(extraTags).and("backend", Objects.requireNonNull(backend, "backend"));
  }

  /**
   * Wraps a store, tagging its meters {@code backend} with the name derived from its class
   * ({@code MemoryStateStore} is {@code memory}, {@code PostgresStateStore} {@code postgres}).
   *
   * @param store the store to time; not null
   * @param registry where the meters go; not null
   * @param extraTags tags added to every meter (for example the application's name)
   * @throws NullPointerException when an argument is null
   */
  public static MeteredStateStore wrap(StateStore store, MeterRegistry registry, Tag... extraTags) {
    Objects.requireNonNull(store, "store");
    return new MeteredStateStore(store, registry, backendName(store), Tags.of(extraTags));
  }

  /**
   * Wraps a store, tagging its meters {@code backend} with the given name (for example the
   * configured {@code type}, or a name that tells two stores apart).
   *
   * @throws NullPointerException when an argument is null
   */
  public static MeteredStateStore wrap(StateStore store, MeterRegistry registry, String backend, Tag... extraTags) {
    return new MeteredStateStore(store, registry, backend, Tags.of(extraTags));
  }

  /** The store this one delegates to. */
  public StateStore delegate() {
    return delegate;
  }

  @Override
  public Turn record(Turn turn) {
    return record.call(() -> delegate.record(turn), null);
  }

  @Override
  public void checkRecordable(Turn turn) {
    checkRecordable.call(() -> {
      delegate.checkRecordable(turn);
      return null;
    }, null);
  }

  @Override
  public Optional<History> history(String owner, String responseId) {
    return history.call(() -> delegate.history(owner, responseId), Optional::isEmpty);
  }

  @Override
  public Optional<Turn> turn(String owner, String responseId) {
    return turn.call(() -> delegate.turn(owner, responseId), Optional::isEmpty);
  }

  @Override
  public Optional<ItemPage> inputItems(String owner, String responseId, ItemQuery query) {
    return inputItems.call(() -> delegate.inputItems(owner, responseId, query), Optional::isEmpty);
  }

  @Override
  public boolean delete(String owner, String responseId) {
    return delete.call(() -> delegate.delete(owner, responseId), deleted -> !deleted);
  }

  @Override
  public long deleteInactiveBefore(Instant cutoff) {
    return cleanup.call(() -> delegate.deleteInactiveBefore(cutoff), null);
  }

  @Override
  public long deleteInactiveBefore(Instant cutoff, LongConsumer progress) {
    if (delegate instanceof BatchedCleanup) {
      return cleanup.call(() -> ((BatchedCleanup) delegate).deleteInactiveBefore(cutoff, progress), null);
    }
    long removed = deleteInactiveBefore(cutoff);
    if (progress != null) {
      progress.accept(removed);
    }
    return removed;
  }

  @Override
  public void ping() {
    ping.call(() -> {
      delegate.ping();
      return null;
    }, null);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "MeteredStateStore[" + delegate + "]";
  }

  static String backendName(StateStore store) {
    String name = store.getClass().getSimpleName();
    if (name.endsWith("StateStore") && name.length() > "StateStore".length()) {
      name = name.substring(0, name.length() - "StateStore".length());
    }
    return name.isEmpty() ? "unknown" : name.toLowerCase(Locale.ROOT);
  }

  /** One operation's meters; each timer is looked up once, then kept (the registry returns the same one). */
  private final class Operation {
    private final String name;
    private volatile Timer success;
    private volatile Timer absent;
    private volatile Timer error;

    Operation(String name) {
      this.name = name;
    }

    /** Runs body, timing it as error when it throws, absent when isAbsent (if given) holds, else success. */
    <T> T call(Supplier<T> body, Predicate<T> isAbsent) {
      long start = registry.config().clock().monotonicTime();
      T result;
      try {
        result = body.get();
      } catch (RuntimeException | Error e) {
        stop(start, "error");
        Counter.builder(ERRORS).tags(tags).tag("operation", name).tag("exception", e.getClass().getSimpleName())
            .description("Calls of the state store that threw, by exception type").register(registry).increment();
        throw e;
      }
      stop(start, isAbsent != null && isAbsent.test(result) ? "absent" : "success");
      return result;
    }

    private void stop(long start, String outcome) {
      long elapsed = registry.config().clock().monotonicTime() - start;
      timer(outcome).record(elapsed, TimeUnit.NANOSECONDS);
    }

    private Timer timer(String outcome) {
      Timer timer = switch (outcome) {
        case "success" -> success;
        case "absent" -> absent;
        default -> error;
      };
      if (timer == null) {
        timer = Timer.builder(TIMER).tags(tags).tag("operation", name).tag("outcome", outcome)
            .description("Calls of the state store, by operation and outcome").register(registry);
        switch (outcome) {
          case "success" -> success = timer;
          case "absent" -> absent = timer;
          default -> error = timer;
        }
      }
      return timer;
    }
  }
}
