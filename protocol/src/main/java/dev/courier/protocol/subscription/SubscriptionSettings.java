package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import java.time.Duration;

/**
 * A subscription's configuration as the client set it. Two PUTs with equal settings are the same
 * subscription (200); different settings under one name are a conflict (409).
 *
 * @param startAt "earliest", "latest", or an RFC 3339 instant, normalised
 * @param push where to POST deliveries; null for a pull subscription
 */
public record SubscriptionSettings(
    String topic,
    String startAt,
    Duration ackDeadline,
    int maxInFlight,
    boolean ordered,
    int maxDeliveries,
    String deadLetterTopic,
    String overflow,
    Duration lagWarning,
    PushSettings push)
    implements CborSerializable {

  public static final String EARLIEST = "earliest";
  public static final String LATEST = "latest";
  public static final Duration DEFAULT_ACK_DEADLINE = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_IN_FLIGHT = 1000;
  public static final int MAX_IN_FLIGHT_LIMIT = 100_000;
  public static final int DEFAULT_MAX_DELIVERIES = 10;
  public static final String DEFAULT_OVERFLOW = "backpressure";
  public static final Duration DEFAULT_LAG_WARNING = Duration.ofSeconds(5);

  public boolean hasPush() {
    return push != null;
  }

  public static SubscriptionSettings defaultsFor(String topic) {
    return new SubscriptionSettings(
        topic,
        LATEST,
        DEFAULT_ACK_DEADLINE,
        DEFAULT_MAX_IN_FLIGHT,
        false,
        DEFAULT_MAX_DELIVERIES,
        null,
        DEFAULT_OVERFLOW,
        DEFAULT_LAG_WARNING,
        null);
  }
}
