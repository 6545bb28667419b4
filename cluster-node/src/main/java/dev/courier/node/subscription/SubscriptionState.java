package dev.courier.node.subscription;

import dev.courier.protocol.CborSerializable;

/**
 * A subscription entity's persisted state, one type per phase of its life: {@link
 * NoSubscription} before it is created (and after it is deleted), {@link ActiveSubscription} while
 * it exists.
 */
public sealed interface SubscriptionState extends CborSerializable
    permits NoSubscription, ActiveSubscription {}
