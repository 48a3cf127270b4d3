package io.convstate.metrics;

import io.convstate.StateStore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A readiness check of a store: {@link StateStore#ping()} bounded by a timeout.
 *
 * <p>{@link #check()} answers {@link Status#UP} when the ping returned within the timeout, and
 * {@link Status#DOWN} with the simple class name of what it threw ({@code TimeoutException} when
 * it did not answer in time). The exception's message is never reported: it may name a host.
 *
 * <p><b>Threads.</b> Safe to call from many threads. Each ping runs on its own daemon thread, and
 * at most one runs at a time: a check while a ping is still running (a hung storage) waits for that
 * one instead of starting another, so a probe that fires every few seconds never piles up threads.
 */
public final class StoreHealth {

  /** Whether the store answered. */
  public enum Status {
    UP,
    DOWN
  }

  /**
   * The result of one check.
   *
   * @param status UP or DOWN
   * @param error the simple class name of what the ping threw, or {@code TimeoutException}; empty
   *     when UP
   */
  public record Result(Status status, Optional<String> error) {
    public Result {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(error, "error");
    }

    static Result up() {
      return new Result(Status.UP, Optional.empty());
    }

    static Result down(Throwable error) {
      return new Result(Status.DOWN, Optional.of(error.getClass().getSimpleName()));
    }

    /** True when UP. */
    public boolean isUp() {
      return status == Status.UP;
    }

    @Override
    public String toString() {
      return error.map(e -> status + " (" + e + ")").orElse(status.name());
    }
  }

  private final StateStore store;
  private final Duration timeout;
  private CompletableFuture<Void> running = CompletableFuture.completedFuture(null);

  private StoreHealth(StateStore store, Duration timeout) {
    this.store = store;
    this.timeout = timeout;
  }

  /**
   * A check of the store with the given timeout.
   *
   * @throws NullPointerException when an argument is null
   * @throws IllegalArgumentException when the timeout is not positive
   */
  public static StoreHealth of(StateStore store, Duration timeout) {
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    return new StoreHealth(store, timeout);
  }

  /**
   * Pings the store (or waits for the ping already running) for at most the timeout.
   *
   * @return UP, or DOWN with the exception type; never throws for a failing store. When the
   *     calling thread is interrupted, DOWN with {@code InterruptedException}, the interrupt kept.
   */
  public Result check() {
    CompletableFuture<Void> ping = current();
    try {
      ping.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return Result.up();
    } catch (ExecutionException e) {
      return Result.down(e.getCause() == null ? e : e.getCause());
    } catch (TimeoutException e) {
      return Result.down(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.down(e);
    }
  }

  private synchronized CompletableFuture<Void> current() {
    if (running.isDone()) {
      CompletableFuture<Void> ping = new CompletableFuture<>();
      Thread thread = new Thread(() -> {
        try {
          store.ping();
          ping.complete(null);
        } catch (Throwable t) {
          ping.completeExceptionally(t);
        }
      }, "convstate-health");
      thread.setDaemon(true);
      running = ping;
      thread.start();
    }
    return running;
  }

  @Override
  public String toString() {
    return "StoreHealth[timeout " + timeout + "]";
  }
}
