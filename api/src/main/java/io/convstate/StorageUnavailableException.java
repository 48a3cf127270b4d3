package io.convstate;

/**
 * The backing storage cannot be reached right now: connection refused, authentication failed,
 * timeout, server restarting. Retrying later may succeed (HTTP 503 for a host app). A write that
 * failed this way may or may not have been applied; retrying the same {@code record} is safe (the
 * same turn again returns the stored one).
 */
public class StorageUnavailableException extends StorageException {

  public StorageUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
