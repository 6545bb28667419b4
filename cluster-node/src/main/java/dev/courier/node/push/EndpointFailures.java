package dev.courier.node.push;

import org.slf4j.Logger;

/**
 * Logs a push endpoint's failures at a rate an operator can read: the first failure of a run at
 * once, then a summary per interval while it keeps failing, and the recovery. Never the secret,
 * never a body; the URL without credentials or query.
 */
final class EndpointFailures {
  private final Logger log;
  private final String subscription;
  private final String endpoint;
  private boolean failing;
  private long run;
  private long unreported;
  private String latest;

  EndpointFailures(Logger log, String subscription, String endpoint) {
    this.log = log;
    this.subscription = subscription;
    this.endpoint = endpoint;
  }

  /** Records a failure; true if it began a failing run (start summarising). */
  boolean failed(String reason) {
    run++;
    latest = reason;
    if (!failing) {
      failing = true;
      log.warn(
          "Push subscription {}: POST to {} failed ({}); retrying with backoff",
          subscription,
          endpoint,
          reason);
      return true;
    }
    unreported++;
    return false;
  }

  void succeeded() {
    if (failing) {
      log.info(
          "Push subscription {}: {} delivers again after {} failed attempts",
          subscription,
          endpoint,
          run);
    }
    failing = false;
    run = 0;
    unreported = 0;
  }

  /** The interval passed; false once there is nothing more to summarise. */
  boolean summarise() {
    if (unreported > 0) {
      log.warn(
          "Push subscription {}: {} more failed POSTs to {} (latest: {})",
          subscription,
          unreported,
          endpoint,
          latest);
      unreported = 0;
    }
    return failing;
  }
}
