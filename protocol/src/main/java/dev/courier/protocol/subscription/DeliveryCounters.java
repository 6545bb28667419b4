package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;

/**
 * A subscription's running delivery totals, carried on its events so they survive restarts and
 * failover (deliveries after the last event are counted again if they are repeated).
 */
public record DeliveryCounters(long delivered, long redelivered) implements CborSerializable {

  public static final DeliveryCounters ZERO = new DeliveryCounters(0, 0);
}
