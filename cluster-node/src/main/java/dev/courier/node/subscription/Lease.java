package dev.courier.node.subscription;

import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.topic.StoredMessage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A message held by one lease consumer (or a long poll, {@code owner} null) until it is acked,
 * nacked or its deadline passes. Memory only: after a failover every unacked message is simply
 * delivered again.
 */
final class Lease {
  final StoredMessage message;
  final int attempt;
  final ActorRef<ConsumerMessage> owner;
  final long deadline;
  final long id;
  /** Out of attempts and being written to the dead-letter topic; no longer the owner's. */
  boolean deadLettering;

  Lease(StoredMessage message, int attempt, ActorRef<ConsumerMessage> owner, long deadline, long id) {
    this.message = message;
    this.attempt = attempt;
    this.owner = owner;
    this.deadline = deadline;
    this.id = id;
  }
}
