package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import java.util.List;

/** Every answer a subscription entity gives to a request. */
public sealed interface SubscriptionReply extends CborSerializable {

  /** The subscription was created by this request. */
  record Created(SubscriptionView view) implements SubscriptionReply {}

  /** The subscription exists: created before with the same settings, or simply looked up. */
  record Found(SubscriptionView view) implements SubscriptionReply {}

  /** A subscription of that name exists with other settings. */
  record Conflict(SubscriptionSettings existing) implements SubscriptionReply {}

  /** There is no such subscription. */
  record NotFound() implements SubscriptionReply {}

  /** The subscription was deleted. */
  record Deleted() implements SubscriptionReply {}

  /**
   * {@code acked} of the given ids were newly acknowledged; {@code durable} lists every given id
   * that is now durably acknowledged (newly, or before). Unknown ids are in neither.
   */
  record AckResult(int acked, List<String> durable) implements SubscriptionReply {
    public AckResult {
      durable = List.copyOf(durable);
    }
  }

  /** This many of the given ack ids were leased and are now given back for redelivery. */
  record Nacked(int nacked) implements SubscriptionReply {}

  /** A long poll's answer: the deliveries now leased to the caller, possibly none. */
  record Pulled(List<DeliveryRecord> messages) implements SubscriptionReply {
    public Pulled {
      messages = List.copyOf(messages);
    }
  }

  /** The subscription now stands at {@code cursor}. */
  record Seeked(String cursor) implements SubscriptionReply {}

  /** The request was refused: {@code detail} says why (a client mistake). */
  record Invalid(String field, String detail) implements SubscriptionReply {}

  /** Refused because a per-subscription cap is reached; the client may retry later. */
  record Overloaded(String detail) implements SubscriptionReply {}
}
