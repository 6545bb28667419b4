package dev.courier.node.it;

import static dev.courier.node.it.SlowConsumerIT.state;
import static dev.courier.node.it.SlowConsumerIT.subscribe;
import static dev.courier.node.it.SlowConsumerIT.topic;
import static dev.courier.node.it.SlowConsumerIT.unique;
import static dev.courier.node.it.TestNode.HTTP;
import static dev.courier.node.it.TestNode.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.FrameSocket;
import dev.courier.client.HttpAnswer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An aggregation subscription's rows over a WebSocket with acks and over a signed webhook, on a
 * real node and Cassandra: each closed window's rows arrive once with the values the publish
 * answers give, acked rows (by an {@code ack} frame, or by the webhook's 2xx) never come again,
 * not even from the node that recovers the subscriptions after the first one stops.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AggregationPushAndWsIT {

  private static final String[] VEHICLES = {"truck", "car", "bus"};
  private static final long WINDOW_MILLIS = 1000;
  /**
   * Closes windows a second after their end, so the test waits seconds, not the default 5; and a
   * keyspace of its own, so that no other test's node on the shared Cassandra finds this test's
   * push subscription in its registry and pushes its rows too.
   */
  private static final String NODE = "courier.query.window-close-grace = 1s\n"
      + "courier.subscription.window-clock-interval = 200ms\n"
      + "courier.cassandra.schema.keyspace = courier_aggregation_push_it";

  /**
   * Publishes messages [from, until) (vehicle VEHICLES[i % 3], weight i) and adds each to the
   * reference: "windowStart/vehicle" to {count, sum of weight}, by the publishTime answered.
   */
  private static void publish(String url, String topic, int from, int until,
      Map<String, long[]> reference) {
    StringBuilder b = new StringBuilder("{\"messages\":[");
    for (int i = from; i < until; i++) {
      b.append(i > from ? "," : "").append("{\"id\":\"a-").append(i).append("\",\"key\":\"k")
          .append(i).append("\",\"data\":{\"vehicle\":\"").append(VEHICLES[i % 3])
          .append("\",\"weight\":").append(i).append("}}");
    }
    HttpAnswer r = HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
        b.append("]}").toString());
    assertEquals(200, r.status(), r::body);
    for (JsonNode result : r.json().get("results")) {
      int i = Integer.parseInt(result.get("id").asText().substring(2));
      long at = Instant.parse(result.get("publishTime").asText()).toEpochMilli();
      long start = Math.floorDiv(at, WINDOW_MILLIS) * WINDOW_MILLIS;
      long[] row = reference.computeIfAbsent(
          Instant.ofEpochMilli(start) + "/" + VEHICLES[i % 3], g -> new long[2]);
      row[0]++;
      row[1] += i;
    }
  }

  /** A row's "windowStart/vehicle" and its "count / sum", checked to be an aggregate row. */
  private static String group(JsonNode record) {
    JsonNode data = record.get("data");
    assertTrue(data.has("windowStart") && data.has("windowEnd"), data::toString);
    assertTrue(!record.hasNonNull("key"), () -> "a row has no key: " + record);
    return data.get("windowStart").asText() + "/" + data.get("vehicle").asText();
  }

  private static String values(JsonNode record) {
    return record.get("data").get("count").asLong() + " / "
        + record.get("data").get("sum_weight").asLong();
  }

  private static Map<String, String> shown(Map<String, long[]> reference) {
    Map<String, String> out = new TreeMap<>();
    reference.forEach((g, v) -> out.put(g, v[0] + " / " + v[1]));
    return out;
  }

  /** Reads {@code n} rows from the socket, each a new window and vehicle, and acks each at once. */
  private static Map<String, String> readAndAck(FrameSocket ws, int n, Set<String> ackIds,
      Map<String, String> everSeen) throws InterruptedException {
    Map<String, String> rows = new TreeMap<>();
    for (JsonNode m : ws.next("message", n)) {
      String group = group(m);
      assertNull(everSeen.put(group, values(m)), () -> "one row per window and vehicle: " + m);
      rows.put(group, values(m));
      assertEquals(1, m.get("deliveryAttempt").asInt(), () -> "first delivery: " + m);
      ackIds.add(m.get("ackId").asText());
      ws.ack(List.of(m.get("ackId").asText()));
    }
    return rows;
  }

  private static void awaitConfirmed(FrameSocket ws, Set<String> ackIds) throws InterruptedException {
    Set<String> confirmed = new HashSet<>();
    while (!confirmed.containsAll(ackIds)) {
      ws.next("acked").get("ackIds").forEach(id -> confirmed.add(id.asText()));
    }
  }

  /** The webhook's accepted rows by group; a second accepted row for a group is a failure. */
  private static Map<String, String> pushed(WebhookReceiver receiver) {
    Map<String, String> rows = new TreeMap<>();
    Map<String, WebhookReceiver.Received> first = new TreeMap<>();
    for (WebhookReceiver.Received r : receiver.accepted()) {
      assertTrue(r.signatureValid(), () -> "signed: " + r);
      String group = group(r.json());
      first.putIfAbsent(group, r);
      assertNull(rows.put(group, values(r.json())), () -> "pushed once: " + r.body() + " at "
          + r.at() + ", webhook-id " + r.webhookId() + "; first accepted at "
          + first.get(group).at() + ", webhook-id " + first.get(group).webhookId());
    }
    return rows;
  }

  @Test
  void rowsOverWebSocketAndWebhookAreAckedOnceAndNeverComeAgain() throws Exception {
    String topic = unique("aggpush");
    String sql = "SELECT data.vehicle, COUNT(*), SUM(data.weight) FROM \"" + topic + "\""
        + " GROUP BY data.vehicle, TUMBLE(publishTime, INTERVAL '1' SECOND)";
    String body = "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"query\":"
        + JSON.writeValueAsString(sql);
    String ws = topic + "-ws";
    String push = topic + "-push";
    Map<String, long[]> first = new TreeMap<>();
    Map<String, long[]> second = new TreeMap<>();
    Map<String, String> wsSeen = new TreeMap<>();
    Set<String> ackIds = new HashSet<>();

    try (WebhookReceiver receiver = WebhookReceiver.start(WebhookReceiver.newSecret())) {
      try (TestNode node = TestNode.start(NODE)) {
        String url = node.url();
        topic(url, topic, 2);
        subscribe(url, ws, body + "}");
        subscribe(url, push, body + ",\"push\":{\"url\":\"" + receiver.url() + "\",\"secret\":\""
            + receiver.secret() + "\"}}");
        publish(url, topic, 0, 30, first);
        publish(url, topic, 30, 60, first);

        try (FrameSocket client = HTTP.frames(url + "/v1/subscriptions/" + ws + "/ws")) {
          assertEquals(shown(first), readAndAck(client, first.size(), ackIds, wsSeen),
              "each window's count / sum per vehicle, as the publish answers give");
          awaitConfirmed(client, ackIds);
        }
        Await.until("every row pushed and accepted", () -> receiver.accepted().size() >= first.size());
        assertEquals(shown(first), pushed(receiver));
        assertEquals(List.of(), receiver.badlySigned());

        Await.until("the acks recorded", () -> state(url, ws).get("acked").asLong() == first.size()
            && state(url, push).get("acked").asLong() == first.size());
        // A new socket on the same node: nothing acked comes again.
        try (FrameSocket client = HTTP.frames(url + "/v1/subscriptions/" + ws + "/ws")) {
          JsonNode frame = client.poll(Duration.ofSeconds(3));
          assertTrue(frame == null || !"message".equals(frame.path("type").asText()),
              () -> "an acked row came again: " + frame);
        }
      }

      // Another node recovers both subscriptions: only the new windows' rows come.
      try (TestNode node = TestNode.start(NODE)) {
        String url = node.url();
        try {
          recovered(url, topic, ws, push, receiver, first, second, wsSeen, ackIds);
        } finally {
          // A push subscription left behind would be woken by every later node on this keyspace.
          HTTP.request("DELETE", url + "/v1/subscriptions/" + push);
          HTTP.request("DELETE", url + "/v1/subscriptions/" + ws);
        }
      }
    }
  }

  /** On the node that recovered the subscriptions: only the new windows' rows come. */
  private static void recovered(String url, String topic, String ws, String push,
      WebhookReceiver receiver, Map<String, long[]> first, Map<String, long[]> second,
      Map<String, String> wsSeen, Set<String> ackIds) throws Exception {
    publish(url, topic, 60, 90, second);
    try (FrameSocket client = HTTP.frames(url + "/v1/subscriptions/" + ws + "/ws")) {
      Set<String> moreAckIds = new HashSet<>();
      assertEquals(shown(second), readAndAck(client, second.size(), moreAckIds, wsSeen),
          "only the new windows' rows, none acked before");
      awaitConfirmed(client, moreAckIds);
      assertTrue(ackIds.stream().noneMatch(moreAckIds::contains), "row ack ids are not reused");
    }
    Map<String, String> all = new TreeMap<>(shown(first));
    all.putAll(shown(second));
    Await.until("the new rows pushed", () -> receiver.accepted().size() >= all.size());
    assertEquals(all, pushed(receiver), "the webhook got each row once, signed");
    Await.until("a 2xx acks a row", () -> state(url, push).get("acked").asLong() >= all.size());
    JsonNode pushState = state(url, push);
    assertEquals(0, pushState.get("late").asLong());
    assertEquals(all.size(), pushState.get("acked").asLong(), "each row acked once");
    assertEquals(all.size(), receiver.accepted().size(), "nothing pushed again after its ack");
  }
}
