package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What a subscription entity sends to an attached consumer at the edge. */
public sealed interface ConsumerMessage extends CborSerializable {

  /** Attachment accepted; {@code subscription} is the entity's actor, to death-watch. */
  record Attached(ActorRef<SubscriptionCommand> subscription) implements ConsumerMessage {}

  /**
   * Messages to write to the client, in order, within the consumer's credit or window. A lease
   * consumer's deliveries carry no cursor.
   */
  record Deliveries(List<Delivery> deliveries) implements ConsumerMessage {
    public Deliveries {
      deliveries = List.copyOf(deliveries);
    }
  }

  /**
   * An in-band lag notice for the client: the subscription's {@code backlog} (messages not
   * delivered yet), {@code lagSeconds} (age of the oldest of them, by its publish time), what its
   * overflow policy has {@code skipped} so far, and whether it is back under its lag warning.
   */
  record Lag(long backlog, double lagSeconds, long skipped, boolean caughtUp)
      implements ConsumerMessage {}

  /** The subscription is gone (deleted, or never existed): end the stream. */
  record Closed(String reason) implements ConsumerMessage {}
}
