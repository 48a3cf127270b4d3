package io.convstate;

/**
 * The backing storage cannot be reached right now: connection refused, authentication failed,
 * timeout, server restarting. Retrying later may succeed (HTTP 503 for a host app). A write that
 * failed this way may or may not have been applied; {@code put} is an upsert, so retrying it is
 * safe.
 */
public class StorageUnavailableException extends StorageException {

  public StorageUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
