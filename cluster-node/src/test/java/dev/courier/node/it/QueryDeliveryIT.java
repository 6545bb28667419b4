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
import dev.courier.client.FrameSocket;
import dev.courier.client.HttpAnswer;
import dev.courier.client.SseConsumer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A subscription's query on a real node and Cassandra: PRODUCT.md's filter-and-project example
 * delivers exactly the matching messages, projected, over SSE, WebSocket, long polling and
 * webhook push; what it passed over stays passed over after the node restarts.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class QueryDeliveryIT {

  /** Message i: key NAS-i for even i, NYS-i for odd; price i * 10; attribute n = i. */
  private static String message(int i) {
    return "{\"id\":\"q-" + i + "\",\"key\":\"" + (i % 2 == 0 ? "NAS-" : "NYS-") + i + "\","
        + "\"attributes\":{\"n\":\"" + i + "\"},"
        + "\"data\":{\"symbol\":\"S" + i + "\",\"price\":" + (i * 10) + ",\"venue\":\"x\"}}";
  }

  private static void publish(String url, String topic, int from, int until) {
    StringBuilder b = new StringBuilder("{\"messages\":[");
    for (int i = from; i < until; i++) {
      b.append(i > from ? "," : "").append(message(i));
    }
    HttpAnswer r = HTTP.request("POST",
        url + "/v1/topics/" + topic + "/messages", b.append("]}").toString());
    assertEquals(200, r.status(), () -> r.body());
  }

  /** What the query passes of messages [from, until): even i with a price over 100. */
  private static Set<Integer> matching(int from, int until) {
    Set<Integer> out = new HashSet<>();
    for (int i = from; i < until; i++) {
      if (i % 2 == 0 && i * 10 > 100) {
        out.add(i);
      }
    }
    return out;
  }

  /** Checks one delivery record is message i projected, its other fields as published. */
  private static int checked(JsonNode record) {
    int i = Integer.parseInt(record.get("id").asText().substring(2));
    assertEquals("NAS-" + i, record.get("key").asText());
    assertEquals(String.valueOf(i), record.get("attributes").get("n").asText());
    assertEquals(JSON.createObjectNode().put("symbol", "S" + i).put("price", i * 10),
        record.get("data"), "the projection replaces data: " + record);
    assertTrue(record.get("offset").isIntegralNumber() && record.get("publishTime").isTextual());
    return i;
  }

  @Test
  void filterAndProjectionOverEveryProtocolAndAcrossARestart() throws Exception {
    String topic = unique("query");
    String query = "SELECT data.symbol, data.price FROM \"" + topic + "\""
        + " WHERE data.price > 100 AND key LIKE 'NAS%'";
    String body = "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"query\":"
        + JSON.writeValueAsString(query);
    String sse = topic + "-sse";
    String ws = topic + "-ws";
    String poll = topic + "-poll";
    String push = topic + "-push";
    Set<Integer> expected = matching(0, 40);
    try (WebhookReceiver receiver = WebhookReceiver.start(WebhookReceiver.newSecret())) {
      try (TestNode node = TestNode.start()) {
        String url = node.url();
        topic(url, topic, 2);
        subscribe(url, sse, body + "}");
        subscribe(url, ws, body + "}");
        subscribe(url, poll, body + "}");
        assertEquals(query, subscribe(url, push, body + ",\"push\":{\"url\":\"" + receiver.url()
            + "\",\"secret\":\"" + receiver.secret() + "\"}}").get("query").asText());
        publish(url, topic, 0, 40);

        try (SseConsumer client =
            TestNode.sse(url, sse, null)) {
          Set<Integer> got = new HashSet<>();
          for (int n = 0; n < expected.size(); n++) {
            assertTrue(got.add(checked(client.messages(1, TestNode.AWAIT).get(0).json())));
          }
          assertEquals(expected, got);
        }

        try (FrameSocket client = HTTP.frames(url + "/v1/subscriptions/" + ws + "/ws")) {
          Set<Integer> got = new HashSet<>();
          List<String> ackIds = new ArrayList<>();
          for (JsonNode m : client.next("message", expected.size())) {
            assertTrue(got.add(checked(m)));
            ackIds.add(m.get("ackId").asText());
          }
          assertEquals(expected, got);
          client.ack(ackIds);
          Set<String> confirmed = new HashSet<>();
          while (!confirmed.containsAll(ackIds)) {
            client.next("acked").get("ackIds").forEach(id -> confirmed.add(id.asText()));
          }
        }

        Set<Integer> polled = new HashSet<>();
        while (polled.size() < expected.size()) {
          JsonNode messages = HTTP.request("GET", url + "/v1/subscriptions/" + poll
              + "/messages?max=100&wait=PT5S").json().get("messages");
          List<String> ackIds = new ArrayList<>();
          for (JsonNode m : messages) {
            assertTrue(polled.add(checked(m)), () -> "once: " + m);
            ackIds.add(m.get("ackId").asText());
          }
          assertEquals(ackIds.size(), HTTP.request("POST",
              url + "/v1/subscriptions/" + poll + "/ack",
              JSON.createObjectNode().set("ackIds", JSON.valueToTree(ackIds))
                  .toString()).json().get("acked").asInt());
        }
        assertEquals(expected, polled);

        Await.until("every matching message pushed and accepted", () ->
            receiver.accepted().stream().map(r -> r.json().get("id").asText()).distinct().count()
                == expected.size());
        Map<Integer, Integer> pushed = new HashMap<>();
        receiver.accepted().forEach(r -> pushed.merge(checked(r.json()), 1, Integer::sum));
        assertEquals(expected, pushed.keySet());

        Await.until("the subscriptions are through the log", () -> state(url, ws)
            .get("backlog").asLong() == 0 && state(url, poll).get("backlog").asLong() == 0);
        JsonNode shown = state(url, ws);
        assertEquals(query, shown.get("query").asText());
        assertEquals(0, shown.get("skipped").asLong(), "a query's passing over is not skipping");
        assertEquals(expected.size(), shown.get("acked").asLong(),
            "acked counts what clients acked, not what the query passed over");
      }

      // A new node recovers every subscription: nothing passed over or acked comes again.
      try (TestNode node = TestNode.start()) {
        String url = node.url();
        publish(url, topic, 40, 46);
        Set<Integer> next = matching(40, 46);
        try (FrameSocket client = HTTP.frames(url + "/v1/subscriptions/" + ws + "/ws")) {
          Set<Integer> got = new HashSet<>();
          for (JsonNode m : client.next("message", next.size())) {
            assertTrue(got.add(checked(m)), () -> "once: " + m);
          }
          assertEquals(next, got, "only the new matching messages");
        }
        Set<Integer> got = new HashSet<>();
        while (got.size() < next.size()) {
          for (JsonNode m : HTTP.request("GET", url + "/v1/subscriptions/" + poll
              + "/messages?max=100&wait=PT5S").json().get("messages")) {
            assertTrue(got.add(checked(m)), () -> "once: " + m);
          }
        }
        assertEquals(next, got, "only the new matching messages");
        Await.until("the new messages pushed", () -> receiver.accepted().stream()
            .map(r -> r.json().get("id").asText()).distinct().count()
            == expected.size() + next.size());
      }
    }
  }
}
