package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;

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

  /** This many of the given ack ids were newly acknowledged, durably. */
  record AckResult(int acked) implements SubscriptionReply {}

  /** The subscription now stands at {@code cursor}. */
  record Seeked(String cursor) implements SubscriptionReply {}

  /** The request was refused: {@code detail} says why (a client mistake). */
  record Invalid(String field, String detail) implements SubscriptionReply {}
}
