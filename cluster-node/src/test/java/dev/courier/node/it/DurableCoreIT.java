package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.SseConsumer;
import dev.courier.client.SseEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The durable core end to end on a real Cassandra: messages, subscription positions and dedup ids
 * survive a node restart; SSE resumes exactly with Last-Event-ID.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DurableCoreIT {

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static void publish(String url, String topic, int from, int count) {
    StringBuilder batch = new StringBuilder("{\"messages\":[");
    for (int i = from; i < from + count; i++) {
      if (i > from) {
        batch.append(',');
      }
      batch.append("{\"id\":\"m-").append(i).append("\",\"key\":\"k-").append(i % 7)
          .append("\",\"data\":{\"seq\":").append(i).append("}}");
    }
    batch.append("]}");
    var r = HTTP.request("POST", url + "/v1/topics/" + topic + "/messages", batch.toString());
    assertEquals(200, r.status(), () -> "publish: " + r.body());
    assertEquals(count, r.json().get("results").size());
  }

  /** A topic of {@code partitions} partitions and a subscription on it from the earliest. */
  private static void topicWithSubscription(String url, String topic, String sub, int partitions) {
    assertEquals(201, HTTP.request("PUT", url + "/v1/topics/" + topic,
        "{\"partitions\":" + partitions + "}").status());
    assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}").status());
  }

  private static long storedMessages(String url, String topic) {
    long sum = 0;
    for (JsonNode head : HTTP.request("GET", url + "/v1/topics/" + topic).json().get("heads")) {
      sum += head.get("nextOffset").asLong();
    }
    return sum;
  }

  private static JsonNode subscription(String url, String sub) {
    return HTTP.request("GET", url + "/v1/subscriptions/" + sub).json();
  }

  @Test
  void messagesPositionsAndDedupIdsSurviveANodeRestart() throws Exception {
    String topic = unique("restart");
    String sub = unique("restart-sub");
    try (TestNode node = TestNode.start()) {
      String url = node.url();
      topicWithSubscription(url, topic, sub, 3);
      publish(url, topic, 0, 30);
      try (SseConsumer sse = TestNode.sse(url, sub, null)) {
        Set<String> ids = new HashSet<>();
        for (SseEvent e : sse.messages(30, TestNode.AWAIT)) {
          ids.add(e.json().get("id").asText());
          assertEquals(1, e.json().get("deliveryAttempt").asInt());
        }
        assertEquals(30, ids.size());
        // An SSE delivery counts once the stream is still alive a proof delay after it: stay
        // connected until the subscription has committed all 30.
        Await.until("the deliveries to be proven and committed",
            () -> subscription(url, sub).get("acked").asInt() == 30);
      }
      Await.until("the consumer to detach", () -> subscription(url, sub).get("consumers").asInt() == 0);
    }

    try (TestNode node = TestNode.start()) {
      String url = node.url();
      assertEquals(30, storedMessages(url, topic), "every published message is still stored");
      var again = HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
          "{\"id\":\"m-7\",\"key\":\"k-0\",\"data\":{\"seq\":7}}");
      assertEquals(200, again.status());
      assertTrue(again.json().get("results").get(0).get("duplicate").asBoolean(),
          "an id published before the restart is still a duplicate");
      assertEquals(30, storedMessages(url, topic), "the duplicate was not stored");

      publish(url, topic, 30, 5);
      try (SseConsumer sse = TestNode.sse(url, sub, null)) {
        List<Integer> seqs = new ArrayList<>();
        for (SseEvent e : sse.messages(5, TestNode.AWAIT)) {
          seqs.add(e.json().get("data").get("seq").asInt());
        }
        seqs.sort(Integer::compare);
        assertEquals(List.of(30, 31, 32, 33, 34), seqs,
            "the subscription resumes where it stood before the restart");
      }
    }
  }

  @Test
  void sseReconnectWithLastEventIdResumesExactly() throws Exception {
    String topic = unique("resume");
    String sub = unique("resume-sub");
    try (TestNode node = TestNode.start()) {
      String url = node.url();
      topicWithSubscription(url, topic, sub, 3);
      publish(url, topic, 0, 300);

      Set<String> seen = new HashSet<>();
      String lastId;
      try (SseConsumer sse = TestNode.sse(url, sub, null)) {
        List<SseEvent> first = sse.messages(100, TestNode.AWAIT);
        first.forEach(e -> seen.add(e.json().get("id").asText()));
        lastId = first.get(first.size() - 1).id();
      }
      assertEquals(100, seen.size());

      try (SseConsumer sse =
          TestNode.sse(url, sub, lastId)) {
        for (SseEvent e : sse.messages(200, TestNode.AWAIT)) {
          String id = e.json().get("id").asText();
          assertTrue(seen.add(id), () -> "repeated after resume: " + id);
        }
        assertEquals(300, seen.size(), "nothing skipped");
        publish(url, topic, 300, 20);
        for (SseEvent e : sse.messages(20, TestNode.AWAIT)) {
          String id = e.json().get("id").asText();
          assertTrue(seen.add(id), () -> "repeated live message: " + id);
        }
      }
      assertEquals(320, seen.size());
    }
  }

  @Test
  void badInputGetsProblemDetailsAndStoresNothing() {
    String topic = unique("bad");
    try (TestNode node = TestNode.start()) {
      String url = node.url();
      String messages = url + "/v1/topics/" + topic + "/messages";
      assertEquals(400, HTTP.request("PUT",
          url + "/v1/topics/" + topic, "{\"partitions\":0}").status());
      assertEquals(400, HTTP.request("PUT", url + "/v1/topics/bad%20name", "{}").status());
      assertEquals(201, HTTP.request("PUT",
          url + "/v1/topics/" + topic, "{\"partitions\":2}").status());

      var malformed = HTTP.request("POST", messages, "{\"data\": ");
      assertEquals(400, malformed.status());
      assertTrue(malformed.contentType().startsWith("application/problem+json"));
      assertTrue(malformed.json().get("detail").asText().contains("line 1"), "position given");

      var unknown = HTTP.request("POST",
          url + "/v1/topics/" + unique("nope") + "/messages", "{\"data\":1}");
      assertEquals(404, unknown.status());
      assertEquals(404, unknown.json().get("status").asInt());

      String big = "x".repeat(1024 * 1024 + 1);
      assertEquals(413, HTTP.request("POST", messages, "{\"data\":\"" + big + "\"}").status());

      var badField = HTTP.request("POST", messages,
          "{\"messages\":[{\"id\":\"ok-1\",\"data\":1},{\"id\":\"ok-2\",\"data\":2,"
              + "\"attributes\":{\"n\":5}}]}");
      assertEquals(400, badField.status());
      assertEquals("messages[1].attributes.n",
          badField.json().get("errors").get(0).get("field").asText());
      assertEquals(400, HTTP.request("POST", messages, "{\"dta\":1}").status());
      assertEquals(400, HTTP.request("POST", messages, "{\"messages\":[]}").status());

      assertEquals(0, storedMessages(url, topic), "a rejected request stores nothing");
      var dup = HTTP.request("POST", messages, "{\"id\":\"ok-1\",\"data\":1}");
      assertFalse(dup.json().get("results").get(0).get("duplicate").asBoolean(),
          "ok-1 of the rejected batch was never stored");

      assertEquals(404, HTTP.request("GET", url + "/v1/subscriptions/" + unique("none")).status());
      assertEquals(404, HTTP.request("PUT", url + "/v1/subscriptions/" + unique("s"),
          "{\"topic\":\"" + unique("none") + "\"}").status());
      assertEquals(400, HTTP.request("PUT", url + "/v1/subscriptions/" + unique("s"),
          "{\"topic\":\"" + topic + "\",\"maxInFlight\":-1}").status());
      assertEquals(405, HTTP.request("PATCH", url + "/v1/topics/" + topic, "{}").status());
    }
  }
}
