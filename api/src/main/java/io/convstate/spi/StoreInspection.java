package io.convstate.spi;

import java.util.List;

/**
 * What an operator's tool (the CLI's {@code stats} and {@code verify}) may ask of a backend
 * besides its {@link io.convstate.StateStore}: what the storage holds, and whether it is set up as
 * the backend needs, each problem with its fix. Optional: a provider offers it through
 * {@link StateStoreProvider#inspect}. Its methods write nothing; it is meant for one thread at a
 * time (an implementation may promise more), and its user closes it.
 */
public interface StoreInspection extends AutoCloseable {

  /** Where: hosts, database, user, table or prefix; never a password. */
  String description();

  /**
   * What the storage holds, as lines for a person to read, in order ({@code "conversations:  12"}).
   *
   * @throws io.convstate.StorageException when the storage cannot be read
   */
  List<String> stats();

  /**
   * Checks the storage's setup.
   *
   * @return each problem with its fix; empty when all is well
   * @throws io.convstate.StorageUnavailableException when the storage cannot be reached at all
   */
  List<? extends Finding> verify();

  /** What {@link #verify} checks, for the line that says all is well ({@code "tables, columns and privileges"}). */
  String checks();

  @Override
  void close();

  /** A problem {@link #verify} found, and the command or change that fixes it. */
  interface Finding {
    /** The problem, a sentence. */
    String problem();

    /** The SQL, command or change that fixes it. */
    String fix();
  }
}
