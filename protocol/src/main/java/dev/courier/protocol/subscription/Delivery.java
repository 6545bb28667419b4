package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;

/** A delivery record plus the stream cursor just after it (the SSE event id). */
public record Delivery(DeliveryRecord record, String cursor) implements CborSerializable {}
