package dev.courier.node.subscription;

import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import org.apache.pekko.actor.typed.ActorRef;

/** An attached consumer: a cursor consumer's credit, or a lease consumer's window and load. */
final class AttachedConsumer implements Taker {
  final ActorRef<ConsumerMessage> ref;
  final ConsumerMode mode;
  final String streamId;
  /** Cursor: messages it can take now. Lease: its window. */
  int credit;
  /** Lease: messages it holds unacknowledged. */
  int outstanding;

  AttachedConsumer(ActorRef<ConsumerMessage> ref, ConsumerMode mode, String streamId, int credit) {
    this.ref = ref;
    this.mode = mode;
    this.streamId = streamId;
    this.credit = credit;
  }

  boolean leases() {
    return mode == ConsumerMode.LEASE;
  }

  @Override
  public int room() {
    return leases() ? credit - outstanding : credit;
  }
}
