package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import java.time.Duration;

/**
 * A live change of a subscription's settings ({@code PATCH}): each field that is not null replaces
 * the current value; the rest stay. Only these settings can change after creation.
 */
public record SettingsChange(
    String overflow,
    Long maxBacklog,
    Duration lagWarning,
    Duration ackDeadline,
    Integer maxInFlight,
    Integer maxDeliveries)
    implements CborSerializable {}
