package dev.courier.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of a subscription to create ({@code topic} set) or to change with PATCH (live
 * settings only); what is not set is left to the server. Immutable: each setter returns a copy.
 */
public final class SubscriptionSettings {
  private final Map<String, Object> fields;

  private SubscriptionSettings(Map<String, Object> fields) {
    this.fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
  }

  /** Settings of a new subscription of {@code topic}. */
  public static SubscriptionSettings of(String topic) {
    return new SubscriptionSettings(Map.of()).with("topic", topic);
  }

  /** A change of live settings, for {@link CourierClient#patchSubscription}. */
  public static SubscriptionSettings change() {
    return new SubscriptionSettings(Map.of());
  }

  /** {@code earliest}, {@code latest}, an RFC 3339 time or {@code snapshot}. */
  public SubscriptionSettings startAt(String startAt) {
    return with("startAt", startAt);
  }

  public SubscriptionSettings ackDeadline(Duration d) {
    return with("ackDeadline", d.toString());
  }

  public SubscriptionSettings maxInFlight(int n) {
    return with("maxInFlight", n);
  }

  public SubscriptionSettings ordered(boolean ordered) {
    return with("ordered", ordered);
  }

  public SubscriptionSettings maxDeliveries(int n) {
    return with("maxDeliveries", n);
  }

  public SubscriptionSettings deadLetterTopic(String topic) {
    return with("deadLetterTopic", topic);
  }

  /** {@code backpressure}, {@code drop-oldest} (with {@link #maxBacklog}) or {@code latest}. */
  public SubscriptionSettings overflow(String policy) {
    return with("overflow", policy);
  }

  public SubscriptionSettings maxBacklog(long n) {
    return with("maxBacklog", n);
  }

  public SubscriptionSettings lagWarning(Duration d) {
    return with("lagWarning", d.toString());
  }

  /** Webhook push to {@code url}, signed with {@code secret} ({@code whsec_...}). */
  public SubscriptionSettings push(String url, String secret) {
    Map<String, Object> push = new LinkedHashMap<>();
    push.put("url", url);
    push.put("secret", secret);
    return with("push", push);
  }

  /** Any other field, for settings this client does not know by name yet. */
  public SubscriptionSettings with(String field, Object value) {
    Map<String, Object> m = new LinkedHashMap<>(fields);
    m.put(field, value);
    return new SubscriptionSettings(m);
  }

  Map<String, Object> body() {
    return fields;
  }
}
