package io.convstate.responses;

import io.convstate.History;
import io.convstate.StateStore;
import io.convstate.StorageException;
import io.convstate.StorageUnavailableException;
import io.convstate.Turn;
import io.convstate.memory.MemoryStateStore;
import java.net.ConnectException;
import java.time.Instant;
import java.util.Optional;

/**
 * A memory store that can be made to fail every call: unavailable (with connection details in the
 * message, as a real backend's), or broken. Reads and writes can fail separately.
 */
final class SwitchableStore implements StateStore {

  static final String SECRET_DETAILS = "connection to db.internal.example:5432 database=convstate user=app refused";

  enum Mode { UP, UNAVAILABLE, BROKEN }

  final MemoryStateStore memory;
  volatile Mode mode = Mode.UP;
  volatile boolean failWritesOnly;

  SwitchableStore(MemoryStateStore memory) {
    this.memory = memory;
  }

  private void check(boolean write) {
    if (mode == Mode.UP || (failWritesOnly && !write)) {
      return;
    }
    if (mode == Mode.UNAVAILABLE) {
      throw new StorageUnavailableException(SECRET_DETAILS, new ConnectException("Connection refused"));
    }
    throw new StorageException("relation conversation_turns: " + SECRET_DETAILS);
  }

  @Override
  public Turn record(Turn turn) {
    check(true);
    return memory.record(turn);
  }

  @Override
  public void checkRecordable(Turn turn) {
    check(false);
    memory.checkRecordable(turn);
  }

  @Override
  public Optional<History> history(String owner, String responseId) {
    check(false);
    return memory.history(owner, responseId);
  }

  @Override
  public boolean delete(String owner, String responseId) {
    check(true);
    return memory.delete(owner, responseId);
  }

  @Override
  public long deleteInactiveBefore(Instant cutoff) {
    check(true);
    return memory.deleteInactiveBefore(cutoff);
  }

  @Override
  public void close() {
    memory.close();
  }
}
