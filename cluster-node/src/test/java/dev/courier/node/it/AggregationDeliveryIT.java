package dev.courier.node.it;

import static dev.courier.node.it.SlowConsumerIT.state;
import static dev.courier.node.it.SlowConsumerIT.subscribe;
import static dev.courier.node.it.SlowConsumerIT.topic;
import static dev.courier.node.it.SlowConsumerIT.unique;
import static dev.courier.node.it.TestNode.HTTP;
import static dev.courier.node.it.TestNode.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.HttpAnswer;
import dev.courier.client.SseConsumer;
import dev.courier.protocol.subscription.Cursor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * PRODUCT.md's windowed aggregation as subscriptions on a real node and Cassandra: the node
 * hosting them stops mid-window, a new one takes over, and each closed window's rows come over
 * SSE and long polling exactly once, with the values the same query gives over the topic's
 * history, every message counted once.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AggregationDeliveryIT {

  private static final String[] VEHICLES = {"truck", "car", "bus"};

  /** Message i: vehicle VEHICLES[i % 3], weight i. */
  private static void publish(String url, String topic, int from, int until) {
    StringBuilder b = new StringBuilder("{\"messages\":[");
    for (int i = from; i < until; i++) {
      b.append(i > from ? "," : "").append("{\"key\":\"k").append(i).append("\",\"data\":{")
          .append("\"vehicle\":\"").append(VEHICLES[i % 3]).append("\",\"weight\":").append(i)
          .append("}}");
    }
    HttpAnswer r = HTTP.request("POST",
        url + "/v1/topics/" + topic + "/messages", b.append("]}").toString());
    assertEquals(200, r.status(), () -> r.body());
  }

  /** The subscription's read positions over the topic's partitions, added up. */
  private static long consumed(String url, String sub, int partitions) {
    String text = state(url, sub).get("cursor").asText();
    return Cursor.read(text, partitions, Cursor.tagOf(text).orElseThrow()).cursor().orElseThrow()
        .positions().stream().mapToLong(Long::longValue).sum();
  }

  /** Rows by window and vehicle; a second row for one is a failure (exactly once). */
  private static void add(Map<String, JsonNode> rows, JsonNode record) {
    JsonNode data = record.get("data");
    assertTrue(data.has("windowStart") && data.has("windowEnd"), data::toString);
    String group = data.get("windowStart").asText() + "/" + data.get("vehicle").asText();
    assertTrue(rows.put(group, data) == null, () -> "one row per group per window: " + record);
  }

  private static long counted(Map<String, JsonNode> rows) {
    return rows.values().stream().mapToLong(r -> r.get("count").asLong()).sum();
  }

  @Test
  void productsAggregationExampleOverSseAndLongPollAcrossANodeRestart() throws Exception {
    String topic = unique("bridge");
    String sql = "SELECT data.vehicle, COUNT(*), AVG(data.weight) FROM \"" + topic + "\""
        + " GROUP BY data.vehicle, TUMBLE(publishTime, INTERVAL '1' MINUTE)";
    String body = "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"query\":"
        + JSON.writeValueAsString(sql) + "}";
    String sse = topic + "-sse";
    String poll = topic + "-poll";
    int total = 60;
    Instant from = Instant.now().minusSeconds(1);

    try (TestNode node = TestNode.start()) {
      String url = node.url();
      topic(url, topic, 2);
      subscribe(url, sse, body);
      subscribe(url, poll, body);
      publish(url, topic, 0, total / 2);
      // Both subscriptions accept the first half into their (open) windows.
      Await.until("the first half accepted", () -> consumed(url, sse, 2) == total / 2
          && consumed(url, poll, 2) == total / 2);
    }

    // The node hosting the subscriptions is gone mid-window; a new one recovers them.
    try (TestNode node = TestNode.start()) {
      String url = node.url();
      publish(url, topic, total / 2, total);
      Instant to = Instant.now().plusSeconds(1);

      // The reference: the same query over the topic's history (all its windows closed).
      HttpAnswer history = HTTP.request("POST", url + "/v1/topics/" + topic + "/query",
          "{\"sql\":" + JSON.writeValueAsString(sql) + ",\"from\":\"" + from
              + "\",\"to\":\"" + to + "\"}");
      assertEquals(200, history.status(), () -> history.body());
      Map<String, JsonNode> expected = new HashMap<>();
      for (JsonNode row : history.json().get("rows")) {
        expected.put(row.get("windowStart").asText() + "/" + row.get("vehicle").asText(), row);
      }
      assertEquals(total, counted(expected), () -> "history: " + history.body());

      // Long poll: rows come as windows close (by wall time, PT5S after a minute ends), acked.
      Map<String, JsonNode> polled = new HashMap<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
      while (counted(polled) < total) {
        assertTrue(System.nanoTime() < deadline, () -> "rows so far: " + polled.values());
        JsonNode messages = HTTP.request("GET", url + "/v1/subscriptions/" + poll
            + "/messages?max=100&wait=PT5S").json().get("messages");
        List<String> ackIds = new ArrayList<>();
        for (JsonNode m : messages) {
          add(polled, m);
          assertEquals("2-", m.get("ackId").asText().substring(0, 2), "the row lane: " + m);
          ackIds.add(m.get("ackId").asText());
        }
        if (!ackIds.isEmpty()) {
          assertEquals(ackIds.size(), HTTP.request("POST",
              url + "/v1/subscriptions/" + poll + "/ack",
              JSON.createObjectNode().set("ackIds", JSON.valueToTree(ackIds))
                  .toString()).json().get("acked").asInt());
        }
      }
      assertEquals(expected, polled, "each window's rows once, as over history");

      // SSE: the same rows, once each.
      Map<String, JsonNode> streamed = new HashMap<>();
      try (SseConsumer client =
          TestNode.sse(url, sse, null)) {
        while (streamed.size() < expected.size()) {
          add(streamed, client.messages(1, TestNode.AWAIT).get(0).json());
        }
      }
      assertEquals(expected, streamed);

      JsonNode shown = state(url, poll);
      assertEquals(0, shown.get("late").asLong());
      assertEquals(expected.size(), shown.get("acked").asLong(), "acked counts rows");
      HttpAnswer again = HTTP.request("GET", url + "/v1/subscriptions/" + poll
          + "/messages?max=100&wait=PT1S");
      assertEquals(0, again.json().get("messages").size(), "acked rows never come again");
    }
  }
}
