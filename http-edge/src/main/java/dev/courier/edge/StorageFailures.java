package dev.courier.edge;

import java.util.Set;

/**
 * Recognises a failure of storage that a client should simply retry (Cassandra timed out, was
 * unavailable or overloaded, or no connection could be had): those are answered 503 with {@code
 * Retry-After}, not 500. The edge does not depend on the Cassandra driver, so the driver's
 * exception types are matched by name, along each failure's causes and superclasses.
 */
final class StorageFailures {
  private static final String API = "com.datastax.oss.driver.api.core.";

  private static final Set<String> TRANSIENT =
      Set.of(
          API + "DriverTimeoutException",
          API + "AllNodesFailedException",
          API + "servererrors.QueryConsistencyException",
          API + "servererrors.UnavailableException",
          API + "servererrors.OverloadedException",
          API + "servererrors.BootstrappingException",
          API + "connection.BusyConnectionException",
          API + "connection.ClosedConnectionException",
          API + "connection.HeartbeatException");

  /** Causes looked at, at most: a cycle in a cause chain must not loop forever. */
  private static final int MAX_DEPTH = 16;

  private StorageFailures() {}

  static boolean isTransient(Throwable error) {
    Throwable e = error;
    for (int depth = 0; e != null && depth < MAX_DEPTH; depth++, e = e.getCause()) {
      for (Class<?> c = e.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
        if (TRANSIENT.contains(c.getName())) {
          return true;
        }
      }
    }
    return false;
  }
}
