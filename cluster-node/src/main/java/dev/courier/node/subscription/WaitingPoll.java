package dev.courier.node.subscription;

import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** A long-poll request waiting for messages until its deadline ({@link System#nanoTime()}). */
final class WaitingPoll implements Taker {
  final ActorRef<SubscriptionReply> replyTo;
  final int max;
  final long deadline;
  final List<DeliveryRecord> taken = new ArrayList<>();

  WaitingPoll(ActorRef<SubscriptionReply> replyTo, int max, long deadline) {
    this.replyTo = replyTo;
    this.max = max;
    this.deadline = deadline;
  }

  @Override
  public int room() {
    return max - taken.size();
  }
}
