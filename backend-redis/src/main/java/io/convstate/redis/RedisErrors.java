package io.convstate.redis;

import io.convstate.ConvStateException;
import io.convstate.Secrets;
import io.convstate.StorageException;
import io.convstate.StorageUnavailableException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Turns Lettuce's exceptions into convstate's: a Redis that cannot be reached, is loading,
 * failing over, redirecting, busy or slow is {@link StorageUnavailableException} (retryable);
 * anything else is {@link StorageException}. Messages name the server without its password and
 * say what to check. Stateless.
 */
final class RedisErrors {

  /** Error replies that mean "not now": a restart, a failover, a resharding, a busy script. */
  private static final List<String> RETRYABLE = List.of(
      "LOADING", "BUSY", "READONLY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "MOVED", "ASK", "NOREPLICAS",
      "NOAUTH", "WRONGPASS", "UNBLOCKED");

  private RedisErrors() {}

  /** Whether a failure (of a script call) is the server not knowing the script. */
  static boolean isNoScript(Throwable failure) {
    Throwable cause = unwrap(failure);
    return cause instanceof RedisCommandExecutionException && String.valueOf(cause.getMessage()).startsWith("NOSCRIPT");
  }

  /** Whether a failure is a redirect: the client's view of the cluster is out of date. */
  static boolean isRedirect(Throwable failure) {
    Throwable cause = unwrap(failure);
    String message = String.valueOf(cause.getMessage());
    return cause instanceof RedisCommandExecutionException && (message.startsWith("MOVED") || message.startsWith("ASK"));
  }

  /**
   * The convstate exception for a failure of a call on the Redis described by {@code where}.
   * A convstate exception raised inside the call is returned as it is.
   */
  static RuntimeException translate(Throwable failure, String where, RedisOptions options) {
    Throwable cause = unwrap(failure);
    if (cause instanceof ConvStateException) {
      return (ConvStateException) cause;
    }
    String detail = Secrets.maskInText(String.valueOf(cause.getMessage()));
    if (cause instanceof RedisCommandTimeoutException) {
      return new StorageUnavailableException("Redis at " + where + " did not answer within " + options.commandTimeout
          + " (option command_timeout)", cause);
    }
    if (cause instanceof RedisConnectionException) {
      return new StorageUnavailableException("Cannot connect to Redis at " + where + ": " + detail
          + rootCause(cause), cause);
    }
    if (cause instanceof RedisCommandExecutionException) {
      for (String code : RETRYABLE) {
        if (detail.startsWith(code)) {
          String hint = code.equals("NOAUTH") || code.equals("WRONGPASS")
              ? " (check the user and password of option connection_string, or options user and password)" : "";
          return new StorageUnavailableException("Redis at " + where + " answered " + detail + hint, cause);
        }
      }
      if (detail.startsWith("NOPERM")) {
        return new StorageException("Redis at " + where + " refused a command for lack of an ACL permission: " + detail
            + ". The store's user needs reading, writing and scripting on its keys (~PREFIX:*), and WAIT, INFO,"
            + " CLIENT SETNAME and, on a cluster, CLUSTER NODES", cause);
      }
      if (detail.startsWith("OOM")) {
        return new StorageException("Redis at " + where + " is out of memory (maxmemory) and refuses writes: " + detail,
            cause);
      }
      return new StorageException("Redis at " + where + " failed a command: " + detail, cause);
    }
    if (cause instanceof RedisException || cause instanceof java.io.IOException) {
      // Transport failures: disconnected, connection reset or closed, command rejected.
      return new StorageUnavailableException("Redis at " + where + " is not reachable: " + detail, cause);
    }
    if (cause instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new StorageUnavailableException("Interrupted while waiting for Redis at " + where, cause);
    }
    return new StorageException("Redis at " + where + " failed: " + cause, cause);
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static String rootCause(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == failure ? "" : " (" + Secrets.maskInText(String.valueOf(root.getMessage())) + ")";
  }
}
