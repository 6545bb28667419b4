package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import dev.courier.protocol.topic.TopicInfo;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What a subscription entity is asked to do, by the edge and by the node's API backend. */
public interface SubscriptionCommand extends CborSerializable {

  /** Create the subscription at these start positions (one per partition), or confirm it exists. */
  record Create(
      SubscriptionSettings settings,
      TopicInfo topic,
      List<Long> startPositions,
      ActorRef<SubscriptionReply> replyTo)
      implements SubscriptionCommand {
    public Create {
      startPositions = List.copyOf(startPositions);
    }
  }

  /** Report settings and live state. */
  record Get(ActorRef<SubscriptionReply> replyTo) implements SubscriptionCommand {}

  /** Delete the subscription and close its consumers. */
  record Delete(ActorRef<SubscriptionReply> replyTo) implements SubscriptionCommand {}

  /**
   * Attach a consumer with an initial window of {@code credit} messages. {@code resumeCursor}, when
   * set, moves the subscription back (or forward) to that cursor first: SSE's Last-Event-ID.
   * {@code streamId} names a client stream across reconnects: attaching again under the same id
   * replaces the earlier attachment, whose connection may be dead without the server knowing yet.
   */
  record Attach(
      ActorRef<ConsumerMessage> consumer, int credit, String resumeCursor, String streamId)
      implements SubscriptionCommand {}

  /** The consumer is gone; nothing more is sent to it. */
  record Detach(ActorRef<ConsumerMessage> consumer) implements SubscriptionCommand {}

  /** The consumer can take {@code credit} more messages. */
  record Demand(ActorRef<ConsumerMessage> consumer, int credit) implements SubscriptionCommand {}

  /** Acknowledge deliveries; the reply comes once the acks are durable. */
  record Ack(List<String> ackIds, ActorRef<SubscriptionReply> replyTo)
      implements SubscriptionCommand {
    public Ack {
      ackIds = List.copyOf(ackIds);
    }
  }

  /** Move the subscription to these positions (one per partition): replay or skip. */
  record Seek(List<Long> positions, ActorRef<SubscriptionReply> replyTo)
      implements SubscriptionCommand {
    public Seek {
      positions = List.copyOf(positions);
    }
  }
}
