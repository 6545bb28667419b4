package dev.courier.edge.guard;

import com.typesafe.config.Config;
import java.time.Duration;

/** Bounds on the node's HTTP connections, read once from {@code courier.http.connections}. */
public record ConnectionSettings(int max, Duration headTimeout, int retryAfterSeconds) {
  public ConnectionSettings {
    if (max < 1) {
      throw new IllegalArgumentException("courier.http.connections.max must be at least 1");
    }
    if (headTimeout.isNegative() || headTimeout.isZero()) {
      throw new IllegalArgumentException("courier.http.connections.head-timeout must be positive");
    }
  }

  public static ConnectionSettings fromConfig(Config config) {
    Config c = config.getConfig("courier.http.connections");
    return new ConnectionSettings(
        c.getInt("max"),
        c.getDuration("head-timeout"),
        (int) Math.max(1, c.getDuration("retry-after").toSeconds()));
  }

  /**
   * pekko-http's own limit: room above {@link #max} so that connections past the limit are still
   * accepted and answered 503 instead of waiting unaccepted in the kernel's backlog.
   */
  public int acceptLimit() {
    return max + Math.max(64, max / 4);
  }
}
