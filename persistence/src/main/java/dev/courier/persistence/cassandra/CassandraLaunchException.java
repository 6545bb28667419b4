package dev.courier.persistence.cassandra;

/** Thrown when no Cassandra answers and the launcher could not (or may not) install or start one. */
public final class CassandraLaunchException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CassandraLaunchException(String message) {
    super(message);
  }

  public CassandraLaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
