package dev.courier.port;

/**
 * The backend's refusal of a request because a bound is reached (a cap of a subscription, the
 * node's budget), so the edge answers 429 with Retry-After without the node knowing anything of
 * HTTP.
 */
public final class Overload extends RuntimeException {
  private final int retryAfterSeconds;

  public Overload(String detail, int retryAfterSeconds) {
    super(detail, null, false, false);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** How long the client should wait before trying again. */
  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
