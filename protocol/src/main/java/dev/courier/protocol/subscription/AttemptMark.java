package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;

/**
 * The delivery attempt a message was last sent with, recorded for redeliveries (attempt 2 and up)
 * so that the count survives a failover and {@code maxDeliveries} holds across restarts.
 */
public record AttemptMark(int partition, long offset, int attempt) implements CborSerializable {}
