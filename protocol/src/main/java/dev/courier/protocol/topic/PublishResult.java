package dev.courier.protocol.topic;

import dev.courier.protocol.CborSerializable;
import java.time.Instant;

/** Where a published message landed; {@code duplicate} marks an id the topic already held. */
public record PublishResult(
    String id, int partition, long offset, Instant publishTime, boolean duplicate)
    implements CborSerializable {}
