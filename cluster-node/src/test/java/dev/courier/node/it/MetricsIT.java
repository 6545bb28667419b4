package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.FrameSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /metrics} of a real node on the real Cassandra: publishing, consuming (long polls and a
 * WebSocket), acking, nacking and dead-lettering move the counters by exactly what was done, and
 * backlog and lag agree with the subscription's own state.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MetricsIT extends OneNodeIT {

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static void publish(String topic, int from, int count) {
    StringBuilder batch = new StringBuilder("{\"messages\":[");
    for (int i = from; i < from + count; i++) {
      batch.append(i > from ? "," : "").append("{\"id\":\"m-").append(i)
          .append("\",\"data\":").append(i).append('}');
    }
    var r = HTTP.request("POST",
        url + "/v1/topics/" + topic + "/messages", batch.append("]}").toString());
    assertEquals(200, r.status(), () -> "publish: " + r.body());
  }

  private static JsonNode state(String sub) {
    return HTTP.request("GET", url + "/v1/subscriptions/" + sub).json();
  }

  /** Long-polls until {@code n} messages came, and returns them. */
  private static List<JsonNode> pollAll(String sub, int n) {
    List<JsonNode> got = new ArrayList<>();
    while (got.size() < n) {
      var r = HTTP.request("GET",
          url + "/v1/subscriptions/" + sub + "/messages?max=" + (n - got.size())
          + "&wait=PT10S");
      assertEquals(200, r.status());
      assertTrue(r.json().get("messages").size() > 0, "a long poll within 10 s");
      r.json().get("messages").forEach(got::add);
    }
    return got;
  }

  private static void ack(String sub, List<JsonNode> messages) {
    StringBuilder ids = new StringBuilder("{\"ackIds\":[");
    for (int i = 0; i < messages.size(); i++) {
      ids.append(i > 0 ? "," : "").append('"').append(messages.get(i).get("ackId").asText()).append('"');
    }
    var r = HTTP.request("POST",
        url + "/v1/subscriptions/" + sub + "/ack", ids.append("]}").toString());
    assertEquals(messages.size(), r.json().get("acked").asInt());
  }

  @Test
  void countersMoveByWhatWasDoneAndGaugesMatchTheSubscriptionsState() throws Exception {
    String topic = unique("metrics");
    String sub = unique("metrics-sub");
    assertEquals(201, HTTP.request("PUT",
        url + "/v1/topics/" + topic, "{\"partitions\":2}").status());
    assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}").status());
    Scrape before = Scrape.of(url);
    assertTrue(before.contentType().startsWith("text/plain"), before.contentType());
    assertTrue(before.contentType().contains("version=0.0.4"), before.contentType());
    assertNull(before.value("courier_publish_messages_total", "topic", topic));

    // 10 new messages, then 3 of them again
    publish(topic, 0, 10);
    publish(topic, 0, 3);
    Scrape published = Scrape.of(url);
    assertEquals(10, published.count("courier_publish_messages_total", "topic", topic));
    assertEquals(3, published.count("courier_publish_duplicates_total", "topic", topic));
    assertEquals(2, published.count("courier_publish_seconds_count")
        - before.count("courier_publish_seconds_count"), "one observation per publish request");
    assertNotNull(published.value("courier_publish_seconds_bucket", "le", "+Inf"));

    // nobody consumes: backlog and lag as GET shows them, read between two GETs
    Await.until("the backlog of 10", () -> state(sub).get("backlog").asLong() == 10);
    JsonNode first = state(sub);
    Scrape waiting = Scrape.of(url);
    JsonNode second = state(sub);
    assertEquals(10, waiting.value("courier_subscription_backlog", "subscription", sub));
    double lag = waiting.value("courier_subscription_lag_seconds", "subscription", sub);
    assertTrue(first.get("lagSeconds").asDouble() <= lag && lag <= second.get("lagSeconds").asDouble(),
        first.get("lagSeconds") + " <= " + lag + " <= " + second.get("lagSeconds"));

    // a long poll takes all 10; they are acked
    List<JsonNode> polled = pollAll(sub, 10);
    ack(sub, polled);
    Scrape acked = Scrape.of(url);
    assertEquals(10, acked.count("courier_deliveries_total", "subscription", sub, "protocol", "poll"));
    assertEquals(10, acked.count("courier_acks_total", "subscription", sub));
    assertEquals(0, acked.count("courier_redeliveries_total", "subscription", sub));
    assertEquals(0, acked.value("courier_subscription_backlog", "subscription", sub));
    assertEquals(0, acked.value("courier_subscription_lag_seconds", "subscription", sub));
    assertEquals(10, acked.count("courier_delivery_latency_seconds_count")
        - before.count("courier_delivery_latency_seconds_count"));
    assertEquals(state(sub).get("acked").asLong(),
        (long) acked.count("courier_acks_total", "subscription", sub), "as GET counts acks");

    // a WebSocket consumer: counted while attached, its deliveries under its protocol
    try (FrameSocket ws = HTTP.frames(url + "/v1/subscriptions/" + sub + "/ws")) {
      Await.until("the socket counted", () -> Scrape.of(url).count("courier_consumers",
          "subscription", sub, "protocol", "websocket") == 1);
      publish(topic, 100, 2);
      List<JsonNode> got = ws.next("message", 2);
      ws.ack(got.stream().map(m -> m.get("ackId").asText()).toList());
      ws.next("acked");
      Await.until("both acks counted", () -> Scrape.of(url).count("courier_acks_total",
          "subscription", sub) == 12);
      Scrape socket = Scrape.of(url);
      assertEquals(2, socket.count("courier_deliveries_total", "subscription", sub,
          "protocol", "websocket"));
      assertEquals(10, socket.count("courier_deliveries_total", "subscription", sub,
          "protocol", "poll"));
    }
    Await.until("the socket uncounted", () -> Scrape.of(url).count("courier_consumers",
        "subscription", sub, "protocol", "websocket") == 0);

    // a nacked message comes again: one redelivery
    publish(topic, 200, 1);
    JsonNode once = pollAll(sub, 1).get(0);
    assertEquals(200, HTTP.request("POST", url + "/v1/subscriptions/" + sub + "/nack",
        "{\"ackIds\":[\"" + once.get("ackId").asText() + "\"]}").status());
    JsonNode again = pollAll(sub, 1).get(0);
    assertEquals(2, again.get("deliveryAttempt").asInt());
    ack(sub, List.of(again));
    Scrape redelivered = Scrape.of(url);
    assertEquals(1, redelivered.count("courier_redeliveries_total", "subscription", sub));
    assertEquals(12, redelivered.count("courier_deliveries_total", "subscription", sub,
        "protocol", "poll"));
    assertEquals(state(sub).get("redelivered").asLong(),
        (long) redelivered.count("courier_redeliveries_total", "subscription", sub));

    // the node: cluster membership, JVM and the Cassandra driver
    assertEquals(1, redelivered.value("courier_cluster_members", "status", "up"));
    assertNotNull(redelivered.value("jvm_memory_used_bytes", "area", "heap"));
    assertNotNull(redelivered.value("jvm_threads_live_threads"));
    assertTrue(redelivered.text().contains("jvm_gc_"), "GC meters");
    assertTrue(redelivered.count("cassandra_session_cql_requests_seconds_count") > 0,
        "the driver's request meter");

    // a deleted subscription's series go
    assertEquals(204, HTTP.request("DELETE", url + "/v1/subscriptions/" + sub, null).status());
    Await.until("its series removed", () -> Scrape.of(url).value("courier_acks_total",
        "subscription", sub) == null);
  }

  @Test
  void messagesOutOfAttemptsAreCountedAsDeadLetters() throws Exception {
    String topic = unique("metrics-dl");
    String dlq = topic + "-dlq";
    String sub = unique("metrics-dl-sub");
    assertEquals(201, HTTP.request("PUT",
        url + "/v1/topics/" + topic, "{\"partitions\":1}").status());
    assertEquals(201, HTTP.request("PUT",
        url + "/v1/topics/" + dlq, "{\"partitions\":1}").status());
    assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"maxDeliveries\":1,"
            + "\"deadLetterTopic\":\"" + dlq + "\"}").status());
    publish(topic, 0, 2);
    List<JsonNode> got = pollAll(sub, 2);
    for (JsonNode m : got) {
      assertEquals(200, HTTP.request("POST", url + "/v1/subscriptions/" + sub + "/nack",
          "{\"ackIds\":[\"" + m.get("ackId").asText() + "\"]}").status());
    }
    Await.until("two dead letters counted", () -> Scrape.of(url).count(
        "courier_dead_letters_total", "subscription", sub) == 2);
    assertEquals(2, state(sub).get("deadLettered").asLong());
    Await.until("the dead-letter topic's publishes counted", () -> Scrape.of(url).count(
        "courier_publish_messages_total", "topic", dlq) == 2);
  }
}
