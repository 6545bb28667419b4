package dev.courier.node.subscription;

import dev.courier.protocol.topic.StoredMessage;

/**
 * A message held by one lease consumer (or a long poll, {@code owner} null) until it is acked,
 * nacked or its deadline passes. Memory only: after a failover every unacked message is simply
 * delivered again. {@code C} is the consumer handle.
 */
final class Lease<C> {
  final StoredMessage message;
  final int attempt;
  final C owner;
  /**
   * When it expires ({@link System#nanoTime()}): an ack deadline after its holder got it. A long
   * poll's message is stamped again when the poll is answered, which a filling poll may delay.
   */
  long deadline;
  final long id;
  /** What it counts in its owner's bytes (0 for a long poll's). */
  long ownerBytes;
  /** Out of attempts and being written to the dead-letter topic; no longer the owner's. */
  boolean deadLettering;
  /** Dead-letter writes of it that failed in a row: the next waits longer. */
  int deadLetterFailures;

  Lease(StoredMessage message, int attempt, C owner, long deadline, long id) {
    this.message = message;
    this.attempt = attempt;
    this.owner = owner;
    this.deadline = deadline;
    this.id = id;
  }
}
