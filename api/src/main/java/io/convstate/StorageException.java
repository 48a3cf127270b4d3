package io.convstate;

/**
 * The backing storage failed in a way that is neither the caller's fault nor known to be
 * temporary (HTTP 500 for a host app). Nothing may be assumed about whether a write in flight
 * was applied; a read never returns partial data.
 */
public class StorageException extends ConvStateException {

  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
