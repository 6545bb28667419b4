package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.CourierClient;
import dev.courier.client.FrameSocket;
import dev.courier.client.HttpAnswer;
import dev.courier.client.SseConsumer;
import dev.courier.client.SseEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Slow consumers on a real node and Cassandra, with real SSE and WebSocket clients: drop-oldest,
 * per-key conflation, a live PATCH, and lag notices on both protocols.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SlowConsumerIT extends OneNodeIT {

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static void topic(String url, String topic, int partitions) {
    assertEquals(201,
        HTTP.request("PUT",
            url + "/v1/topics/" + topic, "{\"partitions\":" + partitions + "}").status());
  }

  static JsonNode subscribe(String url, String sub, String body) {
    HttpAnswer r = HTTP.request("PUT", url + "/v1/subscriptions/" + sub, body);
    assertEquals(201, r.status(), () -> r.body());
    return r.json();
  }

  static JsonNode state(String url, String sub) {
    return HTTP.request("GET", url + "/v1/subscriptions/" + sub).json();
  }

  /** Publishes {@code count} messages in one batch; key {@code keys[i % keys.length]} (null: none). */
  static void publish(String url, String topic, int from, int count, String... keys) {
    StringBuilder b = new StringBuilder("{\"messages\":[");
    for (int i = from; i < from + count; i++) {
      if (i > from) {
        b.append(',');
      }
      b.append("{\"id\":\"m-").append(i).append('"');
      if (keys.length > 0 && keys[i % keys.length] != null) {
        b.append(",\"key\":\"").append(keys[i % keys.length]).append('"');
      }
      b.append(",\"data\":{\"seq\":").append(i).append("}}");
    }
    HttpAnswer r = HTTP.request("POST",
        url + "/v1/topics/" + topic + "/messages", b.append("]}").toString());
    assertEquals(200, r.status(), () -> r.body());
  }

  /** The next message frame within {@code wait} (lag and other frames skipped), else null. */
  static JsonNode nextMessage(FrameSocket ws, Duration wait) throws InterruptedException {
    long until = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < until) {
      JsonNode f = ws.poll(Duration.ofNanos(Math.max(1, until - System.nanoTime())));
      if (f != null && f.get("type").asText().equals("message")) {
        return f;
      }
    }
    return null;
  }

  static int seq(JsonNode record) {
    return record.get("data").get("seq").asInt();
  }

  @Test
  void dropOldestSkipsAheadCountsTheSkipsAndDeliversTheNewest() throws Exception {
    String topic = unique("drop");
    String sub = unique("drop-sub");
    topic(url, topic, 1);
    JsonNode created = subscribe(url, sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\","
        + "\"overflow\":\"drop-oldest\",\"maxBacklog\":10}");
    assertEquals(10, created.get("maxBacklog").asInt());
    publish(url, topic, 0, 50);
    Await.until("40 of 50 to be skipped", () -> state(url, sub).get("skipped").asInt() == 40);
    assertEquals(10, state(url, sub).get("backlog").asInt());
    try (SseConsumer sse = TestNode.sse(url, sub, null)) {
      List<Integer> seqs = new ArrayList<>();
      for (SseEvent e : sse.messages(10, TestNode.AWAIT)) {
        seqs.add(seq(e.json()));
      }
      assertEquals(List.of(40, 41, 42, 43, 44, 45, 46, 47, 48, 49), seqs);
      publish(url, topic, 50, 3);
      assertEquals(50, seq(sse.messages(1, TestNode.AWAIT).get(0).json()),
          "a consumer that keeps up loses nothing");
    }
    JsonNode s = state(url, sub);
    assertEquals(40, s.get("skipped").asInt());
    assertEquals(13, s.get("delivered").asInt());
    assertEquals(40.0, Scrape.of(url).value("courier_skipped_total", "subscription", sub),
        "the skips are counted in the metrics too");
  }

  @Test
  void latestDeliversTheNewestWaitingMessageOfEachKeyOverWebSocket() throws Exception {
    String topic = unique("conflate");
    String sub = unique("conflate-sub");
    topic(url, topic, 2);
    subscribe(url, sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"overflow\":\"latest\"}");
    // 40 messages over keys k0..k3 (10 versions each) and keyless ones.
    publish(url, topic, 0, 25, "k0", "k1", "k2", "k3", null);
    publish(url, topic, 25, 25, "k0", "k1", "k2", "k3", null);
    try (FrameSocket ws = HTTP.frames(url + "/v1/subscriptions/" + sub + "/ws")) {
      Map<String, Integer> byKey = new HashMap<>();
      Set<Integer> keyless = new HashSet<>();
      List<String> ackIds = new ArrayList<>();
      for (JsonNode m : ws.next("message", 14)) {
        ackIds.add(m.get("ackId").asText());
        if (m.hasNonNull("key")) {
          assertEquals(null, byKey.put(m.get("key").asText(), seq(m)), "one per key: " + m);
        } else {
          keyless.add(seq(m));
        }
      }
      assertEquals(Map.of("k0", 45, "k1", 46, "k2", 47, "k3", 48), byKey);
      assertEquals(10, keyless.size(), "keyless messages are never conflated");
      assertEquals(null, nextMessage(ws, Duration.ofMillis(500)), "nothing more");
      ws.ack(ackIds);
      ws.next("acked");
      Await.until("the 36 conflated to be counted",
          () -> state(url, sub).get("skipped").asInt() == 36);
      publish(url, topic, 50, 1, "k0");
      assertEquals(50, seq(ws.next("message")), "a live message of a key is delivered");
    }
  }

  @Test
  void aPatchSwitchesPolicyAtOnceAndFixedSettingsAreRefused() throws Exception {
    String topic = unique("patch");
    String sub = unique("patch-sub");
    topic(url, topic, 1);
    subscribe(url, sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}");
    publish(url, topic, 0, 20);
    Await.until("the backlog to be seen", () -> state(url, sub).get("backlog").asInt() == 20);
    HttpAnswer changed = HTTP.request("PATCH", url + "/v1/subscriptions/" + sub,
        "{\"overflow\":\"drop-oldest\",\"maxBacklog\":5,\"maxInFlight\":3,\"lagWarning\":\"PT1S\"}");
    assertEquals(200, changed.status(), () -> changed.body());
    assertEquals("drop-oldest", changed.json().get("overflow").asText());
    assertEquals(3, changed.json().get("maxInFlight").asInt());
    assertEquals(15, changed.json().get("skipped").asInt(), "in force at once");
    assertEquals(5, changed.json().get("backlog").asInt());
    try (FrameSocket ws = HTTP.frames(url + "/v1/subscriptions/" + sub + "/ws")) {
      List<JsonNode> first = ws.next("message", 3);
      assertEquals(15, seq(first.get(0)));
      assertEquals(null, nextMessage(ws, Duration.ofMillis(500)), "maxInFlight 3 holds");
      HttpAnswer wider = HTTP.request("PATCH", url + "/v1/subscriptions/" + sub,
          "{\"maxInFlight\":10,\"overflow\":\"backpressure\"}");
      assertEquals(200, wider.status());
      assertFalse(wider.json().has("maxBacklog"));
      // The socket's window is maxInFlight as it was when it opened; acks make room.
      ws.ack(first.stream().map(m -> m.get("ackId").asText()).toList());
      List<JsonNode> rest = ws.next("message", 2);
      assertEquals(19, seq(rest.get(1)));
    }
    for (String fixed : List.of("{\"topic\":\"other\"}", "{\"ordered\":true}",
        "{\"startAt\":\"latest\"}", "{\"query\":\"SELECT * FROM x\"}")) {
      HttpAnswer r = HTTP.request("PATCH", url + "/v1/subscriptions/" + sub, fixed);
      assertEquals(409, r.status(), fixed);
      assertTrue(r.contentType().startsWith("application/problem+json"));
    }
    HttpAnswer noBacklog = HTTP.request("PATCH", url + "/v1/subscriptions/" + sub,
        "{\"overflow\":\"drop-oldest\"}");
    assertEquals(400, noBacklog.status());
    assertEquals("maxBacklog", noBacklog.json().get("errors").get(0).get("field").asText());
    assertEquals(400, HTTP.request("PATCH", url + "/v1/subscriptions/" + sub,
        "{\"lagWarning\":\"PT0.001S\"}").status());
    assertEquals(404, HTTP.request("PATCH", url + "/v1/subscriptions/" + unique("none"),
        "{\"maxInFlight\":4}").status());
    JsonNode after = state(url, sub);
    assertEquals("backpressure", after.get("overflow").asText());
    assertEquals(10, after.get("maxInFlight").asInt());
    assertEquals("PT1S", after.get("lagWarning").asText());
  }

  @Test
  void aLaggingWebSocketGetsLagFramesThenOneCaughtUp() throws Exception {
    String topic = unique("lagws");
    String sub = unique("lagws-sub");
    topic(url, topic, 1);
    subscribe(url, sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\","
        + "\"maxInFlight\":1,\"lagWarning\":\"PT0.5S\"}");
    publish(url, topic, 0, 5);
    try (FrameSocket ws = HTTP.frames(url + "/v1/subscriptions/" + sub + "/ws")) {
      List<JsonNode> lags = new ArrayList<>();
      List<String> held = new ArrayList<>();
      long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      while (System.nanoTime() < until) {
        JsonNode f = ws.poll(Duration.ofMillis(200));
        if (f != null && f.get("type").asText().equals("lag")) {
          lags.add(f);
        } else if (f != null && f.get("type").asText().equals("message")) {
          held.add(f.get("ackId").asText());
        }
      }
      assertEquals(1, held.size(), "maxInFlight 1");
      assertTrue(lags.size() >= 2 && lags.size() <= 6, "about one per lagWarning: " + lags);
      JsonNode lag = lags.get(0);
      assertEquals(4, lag.get("backlog").asInt(), "four wait behind the one in flight");
      assertTrue(lag.get("lagSeconds").asDouble() > 0.5);
      assertEquals(0, lag.get("skipped").asInt());
      assertFalse(lag.get("caughtUp").asBoolean());
      assertTrue(state(url, sub).get("lagSeconds").asDouble() > 0.5, "lag shows in the state");
      // Acking as messages come catches up: one caughtUp notice, then silence.
      JsonNode caughtUp = null;
      ws.ack(held);
      int acked = 1;
      while (caughtUp == null) {
        JsonNode f = ws.next();
        if (f.get("type").asText().equals("message")) {
          ws.ack(List.of(f.get("ackId").asText()));
          acked++;
        } else if (f.get("type").asText().equals("lag") && f.get("caughtUp").asBoolean()) {
          caughtUp = f;
        }
      }
      assertEquals(0, caughtUp.get("backlog").asInt());
      assertTrue(acked >= 4);
      JsonNode more = ws.poll(Duration.ofSeconds(1));
      assertTrue(more == null || !more.get("type").asText().equals("lag"), "caughtUp once");
    }
  }

  @Test
  void aLaggingSseStreamGetsLagEventsBetweenItsMessages() throws Exception {
    String topic = unique("lagsse");
    String sub = unique("lagsse-sub");
    topic(url, topic, 1);
    subscribe(url, sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"lagWarning\":\"PT0.2S\"}");
    String pad = "x".repeat(2000);
    for (int batch = 0; batch < 6; batch++) {
      StringBuilder b = new StringBuilder("{\"messages\":[");
      for (int i = 0; i < 500; i++) {
        b.append(i > 0 ? "," : "").append("{\"data\":{\"seq\":").append(batch * 500 + i)
            .append(",\"pad\":\"").append(pad).append("\"}}");
      }
      assertEquals(200,
          HTTP.request("POST",
              url + "/v1/topics/" + topic + "/messages", b.append("]}").toString()).status());
    }
    // The subscription knows the whole backlog before its consumer connects.
    Await.until("the backlog of 3000 known",
        () -> state(url, sub).get("backlog").asInt() == 3000);
    // A queue of one event: the reader takes no more than the test reads, so the stream backs up
    try (SseConsumer sse = CourierClient.builder(url).build().sse(sub,
        SseConsumer.Options.defaults().reconnect(false).queueCapacity(1))) {
      // Read nothing for a while: the stream backs up, the backlog stays, the lag grows.
      Thread.sleep(1500);
      int messages = 0;
      List<JsonNode> lags = new ArrayList<>();
      String lastId = null;
      while (lags.isEmpty() || !lags.get(lags.size() - 1).get("caughtUp").asBoolean()) {
        SseEvent e = sse.next(TestNode.AWAIT);
        assertNotNull(e, "an event within " + TestNode.AWAIT);
        if (e.event().equals("lag")) {
          assertEquals(lastId, e.id(), "a lag event carries no id: Last-Event-ID stays");
          lags.add(e.json());
        } else {
          messages++;
          lastId = e.id();
        }
      }
      assertEquals(3000, messages, "caught up once everything was read");
      JsonNode first = lags.get(0);
      assertEquals("lag", first.get("type").asText());
      assertFalse(first.get("caughtUp").asBoolean());
      assertTrue(first.get("backlog").asInt() > 0);
      assertTrue(first.get("lagSeconds").asDouble() > 0.2);
      assertTrue(lastId != null);
    }
  }
}
