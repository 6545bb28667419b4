package dev.courier.node.subscription;

import dev.courier.protocol.topic.StoredMessage;

/**
 * A message behind the read position waiting to be delivered: released by a consumer, nacked,
 * expired, given back by a dead stream, or held back because its key is in flight on an ordered
 * subscription.
 *
 * @param attempt the delivery attempt it will be
 * @param notBefore the time (nanos, as the core is told it) before which it waits (a nack's
 *     delay), or {@link #NOW}
 */
record Pending(StoredMessage message, int attempt, long notBefore) {

  /** {@code notBefore} for a message that may go at once. */
  static final long NOW = Long.MIN_VALUE;
}
