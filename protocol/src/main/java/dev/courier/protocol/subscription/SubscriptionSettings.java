package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import java.time.Duration;
import java.util.Optional;

/**
 * A subscription's configuration as the client set it. Two PUTs with equal settings are the same
 * subscription (200); different settings under one name are a conflict (409). {@code overflow},
 * {@code maxBacklog}, {@code lagWarning}, {@code ackDeadline}, {@code maxInFlight} and {@code
 * maxDeliveries} can be changed later ({@link #with}); the rest is fixed at creation.
 *
 * @param startAt "earliest", "latest", "snapshot", or an RFC 3339 instant, normalised
 * @param overflow "backpressure", "drop-oldest" or "latest"
 * @param maxBacklog with "drop-oldest": the most undelivered messages kept; 0 otherwise
 * @param push where to POST deliveries; null for a pull subscription
 * @param query the subscription's SQL query as the client wrote it (checked at the edge, compiled
 *     again wherever the subscription starts); null for none
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
    long maxBacklog,
    Duration lagWarning,
    PushSettings push,
    String query)
    implements CborSerializable {

  public static final String EARLIEST = "earliest";
  public static final String LATEST = "latest";
  public static final String SNAPSHOT = "snapshot";
  public static final String BACKPRESSURE = "backpressure";
  public static final String DROP_OLDEST = "drop-oldest";
  /** The {@code overflow} that conflates per key (not to be confused with {@link #LATEST}). */
  public static final String CONFLATE = "latest";
  public static final Duration DEFAULT_ACK_DEADLINE = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_IN_FLIGHT = 1000;
  public static final int MAX_IN_FLIGHT_LIMIT = 100_000;
  public static final int DEFAULT_MAX_DELIVERIES = 10;
  public static final String DEFAULT_OVERFLOW = BACKPRESSURE;
  public static final Duration DEFAULT_LAG_WARNING = Duration.ofSeconds(5);

  /** Without a query. */
  public SubscriptionSettings(
      String topic,
      String startAt,
      Duration ackDeadline,
      int maxInFlight,
      boolean ordered,
      int maxDeliveries,
      String deadLetterTopic,
      String overflow,
      long maxBacklog,
      Duration lagWarning,
      PushSettings push) {
    this(topic, startAt, ackDeadline, maxInFlight, ordered, maxDeliveries, deadLetterTopic,
        overflow, maxBacklog, lagWarning, push, null);
  }

  /** Before {@code maxBacklog} existed; for a backpressure or conflating subscription. */
  public SubscriptionSettings(
      String topic,
      String startAt,
      Duration ackDeadline,
      int maxInFlight,
      boolean ordered,
      int maxDeliveries,
      String deadLetterTopic,
      String overflow,
      Duration lagWarning,
      PushSettings push) {
    this(topic, startAt, ackDeadline, maxInFlight, ordered, maxDeliveries, deadLetterTopic,
        overflow, 0, lagWarning, push);
  }

  public boolean hasPush() {
    return push != null;
  }

  public boolean dropsOldest() {
    return DROP_OLDEST.equals(overflow);
  }

  public boolean conflates() {
    return CONFLATE.equals(overflow);
  }

  /** These settings with a live change applied (null fields of the change keep their value). */
  public SubscriptionSettings with(SettingsChange c) {
    String nextOverflow = c.overflow() != null ? c.overflow() : overflow;
    long nextMaxBacklog =
        c.maxBacklog() != null ? c.maxBacklog() : DROP_OLDEST.equals(nextOverflow) ? maxBacklog : 0;
    return new SubscriptionSettings(
        topic,
        startAt,
        c.ackDeadline() != null ? c.ackDeadline() : ackDeadline,
        c.maxInFlight() != null ? c.maxInFlight() : maxInFlight,
        ordered,
        c.maxDeliveries() != null ? c.maxDeliveries() : maxDeliveries,
        deadLetterTopic,
        nextOverflow,
        nextMaxBacklog,
        c.lagWarning() != null ? c.lagWarning() : lagWarning,
        push,
        query);
  }

  /** These settings with another push endpoint (the same endpoint with its secret sealed). */
  public SubscriptionSettings withPush(PushSettings next) {
    return new SubscriptionSettings(topic, startAt, ackDeadline, maxInFlight, ordered,
        maxDeliveries, deadLetterTopic, overflow, maxBacklog, lagWarning, next, query);
  }

  public boolean hasQuery() {
    return query != null;
  }

  /** These settings with the push secret hidden (for views). */
  public SubscriptionSettings redacted() {
    return push == null
        ? this
        : new SubscriptionSettings(topic, startAt, ackDeadline, maxInFlight, ordered,
            maxDeliveries, deadLetterTopic, overflow, maxBacklog, lagWarning, push.redacted(),
            query);
  }

  /** Why settings are not a valid whole: the field at fault and what is wrong with it. */
  public record Invalid(String field, String detail) {}

  /**
   * What is wrong with these settings as a whole, if anything: {@code maxBacklog} is required with
   * drop-oldest and meaningless with any other overflow.
   */
  public Optional<Invalid> invalid() {
    if (dropsOldest() && maxBacklog < 1) {
      return Optional.of(new Invalid("maxBacklog", "is required with overflow 'drop-oldest'"));
    }
    if (!dropsOldest() && maxBacklog != 0) {
      return Optional.of(new Invalid("maxBacklog", "applies only to overflow 'drop-oldest'"));
    }
    return Optional.empty();
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
