package io.convstate;

/**
 * A store cannot be opened from the given configuration: an unknown type or key, a missing
 * environment variable, a malformed value, a missing table. The message names the key and says
 * how to fix it; it never contains a secret.
 */
public class ConfigurationException extends ConvStateException {

  public ConfigurationException(String message) {
    super(message);
  }

  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
