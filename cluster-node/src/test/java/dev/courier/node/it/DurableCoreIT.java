package dev.courier.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
    var r = Http.post(url + "/v1/topics/" + topic + "/messages", batch.toString());
    assertEquals(200, r.status(), () -> "publish: " + r.body());
    assertEquals(count, r.body().get("results").size());
  }

  /** A topic of {@code partitions} partitions and a subscription on it from the earliest. */
  private static void topicWithSubscription(String url, String topic, String sub, int partitions) {
    assertEquals(201, Http.put(url + "/v1/topics/" + topic,
        "{\"partitions\":" + partitions + "}").status());
    assertEquals(201, Http.put(url + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}").status());
  }

  private static long storedMessages(String url, String topic) {
    long sum = 0;
    for (JsonNode head : Http.get(url + "/v1/topics/" + topic).body().get("heads")) {
      sum += head.get("nextOffset").asLong();
    }
    return sum;
  }

  private static JsonNode subscription(String url, String sub) {
    return Http.get(url + "/v1/subscriptions/" + sub).body();
  }

  @Test
  void messagesPositionsAndDedupIdsSurviveANodeRestart() throws Exception {
    String topic = unique("restart");
    String sub = unique("restart-sub");
    try (TestNode node = TestNode.start()) {
      String url = node.url();
      topicWithSubscription(url, topic, sub, 3);
      publish(url, topic, 0, 30);
      try (SseClient sse = SseClient.open(url + "/v1/subscriptions/" + sub + "/events", null)) {
        Set<String> ids = new HashSet<>();
        for (SseClient.Event e : sse.next(30)) {
          ids.add(e.data().get("id").asText());
          assertEquals(1, e.data().get("deliveryAttempt").asInt());
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
      var again = Http.post(url + "/v1/topics/" + topic + "/messages",
          "{\"id\":\"m-7\",\"key\":\"k-0\",\"data\":{\"seq\":7}}");
      assertEquals(200, again.status());
      assertTrue(again.body().get("results").get(0).get("duplicate").asBoolean(),
          "an id published before the restart is still a duplicate");
      assertEquals(30, storedMessages(url, topic), "the duplicate was not stored");

      publish(url, topic, 30, 5);
      try (SseClient sse = SseClient.open(url + "/v1/subscriptions/" + sub + "/events", null)) {
        List<Integer> seqs = new ArrayList<>();
        for (SseClient.Event e : sse.next(5)) {
          seqs.add(e.data().get("data").get("seq").asInt());
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
      try (SseClient sse = SseClient.open(url + "/v1/subscriptions/" + sub + "/events", null)) {
        List<SseClient.Event> first = sse.next(100);
        first.forEach(e -> seen.add(e.data().get("id").asText()));
        lastId = first.get(first.size() - 1).id();
      }
      assertEquals(100, seen.size());

      try (SseClient sse =
          SseClient.open(url + "/v1/subscriptions/" + sub + "/events", lastId)) {
        for (SseClient.Event e : sse.next(200)) {
          String id = e.data().get("id").asText();
          assertTrue(seen.add(id), () -> "repeated after resume: " + id);
        }
        assertEquals(300, seen.size(), "nothing skipped");
        publish(url, topic, 300, 20);
        for (SseClient.Event e : sse.next(20)) {
          String id = e.data().get("id").asText();
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
      assertEquals(400, Http.put(url + "/v1/topics/" + topic, "{\"partitions\":0}").status());
      assertEquals(400, Http.put(url + "/v1/topics/bad%20name", "{}").status());
      assertEquals(201, Http.put(url + "/v1/topics/" + topic, "{\"partitions\":2}").status());

      var malformed = Http.post(messages, "{\"data\": ");
      assertEquals(400, malformed.status());
      assertTrue(malformed.contentType().startsWith("application/problem+json"));
      assertTrue(malformed.body().get("detail").asText().contains("line 1"), "position given");

      var unknown = Http.post(url + "/v1/topics/" + unique("nope") + "/messages", "{\"data\":1}");
      assertEquals(404, unknown.status());
      assertEquals(404, unknown.body().get("status").asInt());

      String big = "x".repeat(1024 * 1024 + 1);
      assertEquals(413, Http.post(messages, "{\"data\":\"" + big + "\"}").status());

      var badField = Http.post(messages,
          "{\"messages\":[{\"id\":\"ok-1\",\"data\":1},{\"id\":\"ok-2\",\"data\":2,"
              + "\"attributes\":{\"n\":5}}]}");
      assertEquals(400, badField.status());
      assertEquals("messages[1].attributes.n",
          badField.body().get("errors").get(0).get("field").asText());
      assertEquals(400, Http.post(messages, "{\"dta\":1}").status());
      assertEquals(400, Http.post(messages, "{\"messages\":[]}").status());

      assertEquals(0, storedMessages(url, topic), "a rejected request stores nothing");
      var dup = Http.post(messages, "{\"id\":\"ok-1\",\"data\":1}");
      assertFalse(dup.body().get("results").get(0).get("duplicate").asBoolean(),
          "ok-1 of the rejected batch was never stored");

      assertEquals(404, Http.get(url + "/v1/subscriptions/" + unique("none")).status());
      assertEquals(404, Http.put(url + "/v1/subscriptions/" + unique("s"),
          "{\"topic\":\"" + unique("none") + "\"}").status());
      assertEquals(400, Http.put(url + "/v1/subscriptions/" + unique("s"),
          "{\"topic\":\"" + topic + "\",\"maxInFlight\":-1}").status());
      assertEquals(405, Http.send("PATCH", url + "/v1/topics/" + topic, "{}").status());
    }
  }
}
