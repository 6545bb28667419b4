package dev.courier.node.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The meter registry's wiring: names, labels, caps, shared series, and removal. */
class CourierMetricsTest {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private CourierMetrics metrics(boolean perTopic, boolean perSubscription, int max) {
    return new CourierMetrics(registry, new MetricsSettings(perTopic, perSubscription, max, max));
  }

  private static Delivery delivery(int attempt, Instant published) {
    return new Delivery(
        new DeliveryRecord("0-1", "m", "t", 0, 1, null, published, Map.of(), "1", attempt), "1.0");
  }

  private double counter(String name, String... tags) {
    Counter c = Search.in(registry).name(name).tags(tags).counter();
    return c == null ? Double.NaN : c.count();
  }

  private Double gauge(String name, String... tags) {
    Gauge g = Search.in(registry).name(name).tags(tags).gauge();
    return g == null ? null : g.value();
  }

  @Test
  void publishesCountPerTopicAndTheSeriesGoWithTheTopic() {
    CourierMetrics metrics = metrics(true, true, 10);
    metrics.topic("orders").published(5, 2);
    metrics.topic("orders").published(1, 0);
    assertEquals(6, counter("courier.publish.messages", "topic", "orders"));
    assertEquals(2, counter("courier.publish.duplicates", "topic", "orders"));
    String text = metrics.scrape();
    assertTrue(text.contains("courier_publish_messages_total{topic=\"orders\"} 6"), text);
    assertTrue(text.contains("courier_publish_duplicates_total{topic=\"orders\"} 2"), text);
    assertTrue(text.contains("courier_publish_seconds_bucket"), "a histogram: " + text);
    metrics.forgetTopic("orders");
    assertFalse(metrics.scrape().contains("topic=\"orders\""));
  }

  @Test
  void topicsBeyondTheCapShareOneSeriesAndNamesCanBeSwitchedOff() {
    CourierMetrics capped = metrics(true, true, 1);
    capped.topic("a").published(1, 0);
    capped.topic("b").published(2, 0);
    capped.topic("c").published(3, 0);
    assertEquals(1, counter("courier.publish.messages", "topic", "a"));
    assertEquals(5, counter("courier.publish.messages", "topic", CourierMetrics.OTHER));
    assertTrue(Double.isNaN(counter("courier.publish.messages", "topic", "b")));

    PrometheusMeterRegistry other = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CourierMetrics unnamed = new CourierMetrics(other, new MetricsSettings(false, false, 10, 10));
    unnamed.topic("a").published(1, 0);
    unnamed.topic("b").published(2, 1);
    assertTrue(other.scrape().contains("courier_publish_messages_total{topic=\"_all\"} 3"));
  }

  @Test
  void aHostedSubscriptionReportsCountsAndStateUntilItStops() {
    CourierMetrics metrics = metrics(true, true, 10);
    SubscriptionMeters m = metrics.subscription("dash");
    Instant published = Instant.now().minusSeconds(3);
    m.delivered(DeliveryProtocol.WEBSOCKET, List.of(delivery(1, published), delivery(2, published)));
    m.pulled(List.of(delivery(1, published).record()));
    m.acked(2);
    m.acked(0);
    m.deadLettered(1);
    m.skipped(4);
    m.skipped(0);
    int[] consumers = new int[DeliveryProtocol.values().length];
    consumers[DeliveryProtocol.WEBSOCKET.ordinal()] = 2;
    m.state(7, published, consumers);

    assertEquals(2, counter("courier.deliveries", "subscription", "dash", "protocol", "websocket"));
    assertEquals(1, counter("courier.deliveries", "subscription", "dash", "protocol", "poll"));
    assertTrue(Double.isNaN(counter("courier.deliveries", "protocol", "sse")), "only protocols seen");
    assertEquals(1, counter("courier.redeliveries", "subscription", "dash"));
    assertEquals(2, counter("courier.acks", "subscription", "dash"));
    assertEquals(1, counter("courier.dead.letters", "subscription", "dash"));
    assertEquals(4, counter("courier.skipped", "subscription", "dash"));
    assertEquals(7, gauge("courier.subscription.backlog", "subscription", "dash"));
    double lag = gauge("courier.subscription.lag", "subscription", "dash");
    assertTrue(lag >= 3 && lag < 60, "lag from the oldest publish time: " + lag);
    assertEquals(2, gauge("courier.consumers", "subscription", "dash", "protocol", "websocket"));
    var latency = Search.in(registry).name("courier.delivery.latency").timer();
    assertEquals(3, latency.count());
    assertTrue(latency.totalTime(java.util.concurrent.TimeUnit.SECONDS) >= 9);

    m.bytes(3_000_000, 5_000_000);
    assertEquals(3_000_000, gauge("courier.consumer.held", "subscription", "dash"));
    assertEquals(5_000_000, gauge("courier.subscription.buffered", "subscription", "dash"));

    String text = metrics.scrape();
    for (String series : List.of("courier_deliveries_total", "courier_acks_total",
        "courier_redeliveries_total", "courier_dead_letters_total", "courier_skipped_total",
        "courier_subscription_backlog", "courier_consumer_held_bytes",
        "courier_subscription_buffered_bytes",
        "courier_subscription_lag_seconds", "courier_consumers", "courier_delivery_latency_seconds")) {
      assertTrue(text.contains(series + "{") || text.contains(series + "_bucket{"), series);
    }
    m.state(0, null, new int[DeliveryProtocol.values().length]);
    assertEquals(0, gauge("courier.subscription.lag", "subscription", "dash"));

    m.close();
    m.close();
    assertNull(gauge("courier.subscription.backlog", "subscription", "dash"));
    assertFalse(metrics.scrape().contains("subscription=\"dash\""));
  }

  @Test
  void sharedSubscriptionSeriesAddBacklogsTakeTheLargestLagAndStayWhileAnyReports() {
    CourierMetrics metrics = metrics(true, false, 10);
    SubscriptionMeters a = metrics.subscription("a");
    SubscriptionMeters b = metrics.subscription("b");
    assertEquals(CourierMetrics.ALL, a.label());
    int[] none = new int[DeliveryProtocol.values().length];
    a.state(3, Instant.now().minusSeconds(10), none);
    b.state(4, Instant.now().minusSeconds(1), none);
    assertEquals(7, gauge("courier.subscription.backlog", "subscription", "_all"));
    assertTrue(gauge("courier.subscription.lag", "subscription", "_all") >= 10);
    a.acked(1);
    b.acked(2);
    assertEquals(3, counter("courier.acks", "subscription", "_all"));
    a.close();
    assertEquals(4, gauge("courier.subscription.backlog", "subscription", "_all"));
    b.close();
    assertNull(gauge("courier.subscription.backlog", "subscription", "_all"));
  }

  @Test
  void subscriptionsBeyondTheCapShareTheOtherSeries() {
    CourierMetrics metrics = metrics(true, true, 1);
    assertEquals("first", metrics.subscription("first").label());
    assertEquals(CourierMetrics.OTHER, metrics.subscription("second").label());
    assertEquals(CourierMetrics.OTHER, metrics.subscription("third").label());
  }
}
