package io.convstate.spi;

import java.time.Instant;
import java.util.function.LongConsumer;

/**
 * An optional capability of a {@link io.convstate.StateStore} whose cleanup runs in batches (a
 * shared database): the same cleanup as {@link io.convstate.StateStore#deleteInactiveBefore}, also
 * reporting its progress, for an operator's tool. A tool checks for it with {@code instanceof} and
 * cleans any other store with the plain method, so it never depends on a backend's class.
 */
public interface BatchedCleanup {

  /**
   * As {@link io.convstate.StateStore#deleteInactiveBefore}, calling {@code progress} on the calling
   * thread with the running total of turns removed after each batch.
   *
   * @return how many turns this call removed
   * @throws io.convstate.InvalidInputException naming {@code cutoff} when it is null
   */
  long deleteInactiveBefore(Instant cutoff, LongConsumer progress);
}
