package dev.courier.node.push;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How long a failed push waits before its next attempt: exponential in the attempt number
 * (min-backoff, doubling, capped at max-backoff) with full jitter, so retries of many messages to
 * one recovering endpoint spread out instead of arriving in waves.
 */
public final class PushBackoff {
  private final Duration min;
  private final Duration max;
  private final DoubleSupplier jitter;

  /** @param jitter uniform in [0, 1]: the fraction of the attempt's ceiling to wait */
  public PushBackoff(Duration min, Duration max, DoubleSupplier jitter) {
    this.min = min;
    this.max = max;
    this.jitter = jitter;
  }

  public static PushBackoff from(PushConfig config) {
    return new PushBackoff(
        config.minBackoff(), config.maxBackoff(), () -> ThreadLocalRandom.current().nextDouble());
  }

  /** The most the retry after failed attempt {@code attempt} (1 = the first delivery) waits. */
  public Duration ceiling(int attempt) {
    int doublings = Math.max(0, Math.min(attempt - 1, 62));
    long minNanos = min.toNanos();
    long maxNanos = max.toNanos();
    long bound = doublings >= Long.numberOfLeadingZeros(minNanos) - 1
        ? maxNanos
        : Math.min(maxNanos, minNanos << doublings);
    return Duration.ofNanos(bound);
  }

  /** The delay before the retry that follows failed attempt {@code attempt}. */
  public Duration delay(int attempt) {
    double fraction = Math.max(0.0, Math.min(1.0, jitter.getAsDouble()));
    long nanos = (long) (ceiling(attempt).toNanos() * fraction);
    return Duration.ofMillis(nanos / 1_000_000);
  }
}
