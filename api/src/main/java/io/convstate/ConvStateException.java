package io.convstate;

/**
 * Base of every exception convstate throws. All are unchecked.
 *
 * <p>The subclasses tell a host app what to answer: {@link StateNotFoundException} and
 * {@link InvalidInputException} are the client's fault (HTTP 4xx), {@link StorageUnavailableException}
 * is retryable (HTTP 503), any other {@link StorageException} is a server error (HTTP 500), and
 * {@link ConfigurationException} is raised while opening a store, before any request is served.
 *
 * <p>Messages never contain secrets such as passwords.
 */
public abstract class ConvStateException extends RuntimeException {

  protected ConvStateException(String message) {
    super(message);
  }

  protected ConvStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
