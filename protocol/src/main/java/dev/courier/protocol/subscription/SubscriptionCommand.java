package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import dev.courier.protocol.topic.TopicInfo;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What a subscription entity is asked to do, by the edge and by the node's API backend. */
public interface SubscriptionCommand extends CborSerializable {

  /**
   * Create the subscription at these start positions (one per partition), or confirm it exists.
   * {@code snapshotUntil}: a keyed snapshot's boundary per partition; empty for any other start.
   */
  record Create(
      SubscriptionSettings settings,
      TopicInfo topic,
      List<Long> startPositions,
      List<Long> snapshotUntil,
      ActorRef<SubscriptionReply> replyTo)
      implements SubscriptionCommand {
    public Create {
      startPositions = List.copyOf(startPositions);
      snapshotUntil = snapshotUntil == null ? List.of() : List.copyOf(snapshotUntil);
    }
  }

  /**
   * Change the settings that can change (a PATCH); answered with the view once it is durable, or
   * {@link SubscriptionReply.Invalid} if the result would not be valid.
   */
  record ChangeSettings(SettingsChange change, ActorRef<SubscriptionReply> replyTo)
      implements SubscriptionCommand {}

  /** Report settings and live state. */
  record Get(ActorRef<SubscriptionReply> replyTo) implements SubscriptionCommand {}

  /** Delete the subscription and close its consumers. */
  record Delete(ActorRef<SubscriptionReply> replyTo) implements SubscriptionCommand {}

  /**
   * Attach a consumer. A {@link ConsumerMode#CURSOR} consumer starts with {@code credit} messages
   * of demand; a {@link ConsumerMode#LEASE} consumer with a window of {@code credit} unacknowledged
   * messages. {@code resumeCursor}, when set, moves the subscription back (or forward) to that
   * cursor first: SSE's Last-Event-ID. {@code streamId} names a client stream across reconnects:
   * attaching again under the same id replaces the earlier attachment, whose connection may be
   * dead without the server knowing yet.
   */
  record Attach(
      ActorRef<ConsumerMessage> consumer,
      ConsumerMode mode,
      int credit,
      String resumeCursor,
      String streamId)
      implements SubscriptionCommand {
    /**
     * {@code credit} for a lease consumer that takes the subscription's {@code maxInFlight} as its
     * window: the edge can open a socket without asking the subscription for its settings first.
     */
    public static final int DEFAULT_WINDOW = -1;
  }

  /** The consumer is gone; nothing more is sent to it, and its leases are released. */
  record Detach(ActorRef<ConsumerMessage> consumer) implements SubscriptionCommand {}

  /**
   * A cursor consumer can take {@code credit} more messages. Zero is a keep-alive: it reaches the
   * entity through sharding, which keeps an entity with live consumers from passivating.
   */
  record Demand(ActorRef<ConsumerMessage> consumer, int credit) implements SubscriptionCommand {}

  /**
   * A cursor consumer's proof of life: the first {@code messages} deliveries it was sent and has
   * not proven yet (in the order they were sent) reached a stream that was still alive well after
   * they were written. Only proven deliveries advance the subscription's position; unproven ones
   * are given back for redelivery when the consumer detaches (its stream was found dead).
   */
  record Proven(ActorRef<ConsumerMessage> consumer, int messages) implements SubscriptionCommand {}

  /** Sets a lease consumer's window: the most unacknowledged messages it holds at once. */
  record Window(ActorRef<ConsumerMessage> consumer, int messages) implements SubscriptionCommand {}

  /** Acknowledge deliveries; the reply comes once the acks are durable. */
  record Ack(List<String> ackIds, ActorRef<SubscriptionReply> replyTo)
      implements SubscriptionCommand {
    public Ack {
      ackIds = List.copyOf(ackIds);
    }
  }

  /** Give leased messages back, to be delivered again after {@code delay}. */
  record Nack(List<String> ackIds, Duration delay, ActorRef<SubscriptionReply> replyTo)
      implements SubscriptionCommand {
    public Nack {
      ackIds = List.copyOf(ackIds);
    }
  }

  /**
   * Long polling: lease up to {@code max} messages and answer as soon as there is at least one,
   * or with none once {@code maxWait} has passed. The leases outlive the request.
   */
  record Pull(int max, Duration maxWait, ActorRef<SubscriptionReply> replyTo)
      implements SubscriptionCommand {}

  /** Start the entity if it is not running (push subscriptions deliver with no client). */
  record Wake() implements SubscriptionCommand {}

  /** Move the subscription to these positions (one per partition): replay or skip. */
  record Seek(List<Long> positions, ActorRef<SubscriptionReply> replyTo)
      implements SubscriptionCommand {
    public Seek {
      positions = List.copyOf(positions);
    }
  }
}
