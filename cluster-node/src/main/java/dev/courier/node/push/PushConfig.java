package dev.courier.node.push;

import com.typesafe.config.Config;
import java.time.Duration;

/** How webhook push paces, bounds and logs its requests: {@code courier.push}, read once. */
public record PushConfig(
    Duration minBackoff,
    Duration maxBackoff,
    Duration requestTimeout,
    int maxConcurrency,
    long responseBodyLimit,
    Duration ackTimeout,
    Duration failureLogInterval,
    Duration wakeInterval,
    Duration stoppedWakeDelay) {

  public PushConfig {
    if (minBackoff.isNegative() || minBackoff.isZero() || maxBackoff.compareTo(minBackoff) < 0) {
      throw new IllegalArgumentException(
          "courier.push: need 0 < min-backoff <= max-backoff, got " + minBackoff + ", "
              + maxBackoff);
    }
    if (maxConcurrency < 1) {
      throw new IllegalArgumentException("courier.push.max-concurrency must be at least 1");
    }
  }

  public static PushConfig fromConfig(Config config) {
    Config c = config.getConfig("courier.push");
    return new PushConfig(
        c.getDuration("min-backoff"),
        c.getDuration("max-backoff"),
        c.getDuration("request-timeout"),
        c.getInt("max-concurrency"),
        c.getMemorySize("response-body-limit").toBytes(),
        c.getDuration("ack-timeout"),
        c.getDuration("failure-log-interval"),
        c.getDuration("wake-interval"),
        c.getDuration("stopped-wake-delay"));
  }

  /** The window a push subscription with this {@code maxInFlight} delivers with. */
  public int windowFor(int maxInFlight) {
    return Math.max(1, Math.min(maxInFlight, maxConcurrency));
  }
}
