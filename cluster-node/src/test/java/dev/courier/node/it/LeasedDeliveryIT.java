package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.FrameSocket;
import dev.courier.client.HttpAnswer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lease consumers end to end on a real Cassandra: WebSocket consumers with acks, windows and
 * redelivery, long polling, dead letters, competing consumers and ordered keys.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LeasedDeliveryIT extends OneNodeIT {

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static void topic(String topic, int partitions) {
    assertEquals(201, HTTP.request("PUT", url + "/v1/topics/" + topic,
        "{\"partitions\":" + partitions + "}").status());
  }

  static void subscription(String sub, String settings) {
    var r = HTTP.request("PUT", url + "/v1/subscriptions/" + sub, settings);
    assertEquals(201, r.status(), () -> "create subscription: " + r.body());
  }

  static void publish(String topic, int from, int count, int keys) {
    StringBuilder batch = new StringBuilder("{\"messages\":[");
    for (int i = from; i < from + count; i++) {
      if (i > from) {
        batch.append(',');
      }
      batch.append("{\"id\":\"m-").append(i).append("\",\"key\":\"k-").append(i % keys)
          .append("\",\"data\":{\"seq\":").append(i).append("}}");
    }
    batch.append("]}");
    var r = HTTP.request("POST", url + "/v1/topics/" + topic + "/messages", batch.toString());
    assertEquals(200, r.status(), () -> "publish: " + r.body());
  }

  static JsonNode state(String sub) {
    return stateAt(url, sub);
  }

  static JsonNode stateAt(String base, String sub) {
    return HTTP.request("GET", base + "/v1/subscriptions/" + sub).json();
  }

  static FrameSocket ws(String sub) {
    return HTTP.frames(url + "/v1/subscriptions/" + sub + "/ws");
  }

  static List<String> ackIds(List<JsonNode> messages) {
    return messages.stream().map(m -> m.get("ackId").asText()).toList();
  }

  @Test
  void aWebSocketConsumerGetsEveryMessageAndAcksAreConfirmedOnceDurable() throws Exception {
    String topic = unique("ws");
    String sub = unique("ws-sub");
    topic(topic, 3);
    subscription(sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}");
    publish(topic, 0, 60, 7);
    try (FrameSocket client = ws(sub)) {
      List<JsonNode> got = client.next("message", 60);
      Set<String> ids = new HashSet<>();
      for (JsonNode m : got) {
        assertEquals(1, m.get("deliveryAttempt").asInt());
        assertEquals(topic, m.get("topic").asText());
        assertTrue(m.get("data").has("seq"));
        ids.add(m.get("id").asText());
      }
      assertEquals(60, ids.size());
      assertEquals(60, state(sub).get("inFlight").asInt());
      Set<String> confirmed = new HashSet<>();
      for (int i = 0; i < 60; i += 20) {
        client.ack(ackIds(got.subList(i, i + 20)));
      }
      while (confirmed.size() < 60) {
        client.next("acked").get("ackIds").forEach(id -> confirmed.add(id.asText()));
      }
      assertEquals(new HashSet<>(ackIds(got)), confirmed);
      JsonNode s = state(sub);
      assertEquals(60, s.get("acked").asLong());
      assertEquals(0, s.get("inFlight").asInt());
      assertEquals(0, s.get("backlog").asLong());
      assertEquals(60, s.get("delivered").asLong());
      assertEquals(1, s.get("consumers").asInt());
      assertEquals(node.remoting(), s.get("node").asText(), "the member hosting it");
    }
    Await.until("the socket to detach", () -> state(sub).get("consumers").asInt() == 0);
    try (FrameSocket again = ws(sub)) {
      assertNull(again.poll(Duration.ofMillis(700)), "acked messages are not delivered again");
    }
  }

  @Test
  void badFramesGetAnErrorFrameAndTheSocketStaysUp() throws Exception {
    String topic = unique("frames");
    String sub = unique("frames-sub");
    topic(topic, 1);
    subscription(sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}");
    try (FrameSocket client = ws(sub)) {
      client.send("this is not json");
      assertEquals(400, client.next("error").get("status").asInt());
      client.send("{\"type\":\"subscribe\"}");
      JsonNode unknown = client.next("error");
      assertEquals("type", unknown.get("errors").get(0).get("field").asText());
      client.send("{\"type\":\"credit\",\"messages\":-3}");
      assertEquals(400, client.next("error").get("status").asInt());
      client.send("{\"type\":\"ack\",\"ackIds\":[\"0-999\",\"junk\"]}");
      publish(topic, 0, 1, 1);
      JsonNode m = client.next();
      assertEquals("message", m.get("type").asText(), "unknown ack ids are ignored, no frame");
      client.ack(List.of(m.get("ackId").asText()));
      assertEquals(m.get("ackId").asText(), client.next("acked").get("ackIds").get(0).asText());
    }
    var bad = HTTP.request("POST",
        url + "/v1/subscriptions/" + sub + "/ack", "{\"ackIds\":[\"0-77\",\"x\"]}");
    assertEquals(200, bad.status());
    assertEquals(0, bad.json().get("acked").asInt());
    assertEquals(400, HTTP.request("POST",
        url + "/v1/subscriptions/" + sub + "/ack", "{\"ackIds\":\"0-1\"}").status());
    assertEquals(404, HTTP.request("GET",
        url + "/v1/subscriptions/" + unique("none") + "/ws").status());
  }

  @Test
  void theWindowBoundsUnacknowledgedMessagesAndCreditMovesIt() throws Exception {
    String topic = unique("window");
    String sub = unique("window-sub");
    topic(topic, 2);
    subscription(sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"maxInFlight\":5}");
    publish(topic, 0, 30, 5);
    try (FrameSocket client = ws(sub)) {
      List<JsonNode> first = client.next("message", 5);
      assertNull(client.poll(Duration.ofMillis(500)), "no more than the window");
      client.ack(ackIds(first.subList(0, 2)));
      List<JsonNode> more = new ArrayList<>();
      boolean confirmed = false;
      while (!confirmed || more.size() < 2) {
        JsonNode f = client.next();
        if ("acked".equals(f.get("type").asText())) {
          confirmed = true;
        } else {
          more.add(f);
        }
      }
      assertNull(client.poll(Duration.ofMillis(400)));
      client.send("{\"type\":\"credit\",\"messages\":10}");
      assertNull(client.poll(Duration.ofMillis(400)),
          "a wider window does not pass the subscription's maxInFlight (5)");
      assertEquals(5, state(sub).get("inFlight").asInt());
      client.ack(ackIds(first.subList(2, 5)));
      List<JsonNode> opened = client.next("message", 3);
      Set<String> seen = new HashSet<>();
      for (List<JsonNode> part : List.of(first, more, opened)) {
        part.forEach(m -> assertTrue(seen.add(m.get("id").asText()), "no repeats"));
      }
    }
  }

  @Test
  void anUnackedMessageIsDeliveredAgainAfterTheDeadlineAndANackAfterItsDelay() throws Exception {
    String topic = unique("redeliver");
    String sub = unique("redeliver-sub");
    topic(topic, 1);
    subscription(sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"ackDeadline\":\"PT1S\"}");
    publish(topic, 0, 1, 1);
    try (FrameSocket client = ws(sub)) {
      JsonNode first = client.next("message");
      long sent = System.nanoTime();
      JsonNode again = client.next("message");
      assertTrue(System.nanoTime() - sent >= TimeUnit.MILLISECONDS.toNanos(900),
          "not before the deadline");
      assertEquals(first.get("id").asText(), again.get("id").asText());
      assertEquals(2, again.get("deliveryAttempt").asInt());
      client.send("{\"type\":\"nack\",\"ackIds\":[\"" + again.get("ackId").asText()
          + "\"],\"delay\":\"PT0.3S\"}");
      JsonNode third = client.next("message");
      assertEquals(3, third.get("deliveryAttempt").asInt());
      client.ack(List.of(third.get("ackId").asText()));
      client.next("acked");
      assertEquals(2, state(sub).get("redelivered").asLong());
    }
  }

  @Test
  void longPollingAnswersAsSoonAsAMessageArrivesAndLeasesIt() throws Exception {
    String topic = unique("poll");
    String sub = unique("poll-sub");
    topic(topic, 2);
    subscription(sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"ackDeadline\":\"PT1M\"}");
    var empty = HTTP.request("GET", url + "/v1/subscriptions/" + sub + "/messages?wait=PT0.3S");
    assertEquals(200, empty.status());
    assertEquals(0, empty.json().get("messages").size());
    long start = System.nanoTime();
    CompletableFuture<HttpAnswer> waiting =
        CompletableFuture.supplyAsync(
            () -> HTTP.request("GET",
                url + "/v1/subscriptions/" + sub + "/messages?max=10&wait=PT20S"));
    Await.until("the poll to wait", () -> state(sub).get("consumers").asInt() == 1);
    publish(topic, 0, 1, 1);
    HttpAnswer r = waiting.get(15, TimeUnit.SECONDS);
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "answered early");
    assertEquals(1, r.json().get("messages").size());
    JsonNode m = r.json().get("messages").get(0);
    assertEquals("m-0", m.get("id").asText());
    assertEquals(1, state(sub).get("inFlight").asInt());
    var again = HTTP.request("GET", url + "/v1/subscriptions/" + sub + "/messages?wait=PT0.3S");
    assertEquals(0, again.json().get("messages").size(), "a leased message is not handed out");
    var acked = HTTP.request("POST", url + "/v1/subscriptions/" + sub + "/ack",
        "{\"ackIds\":[\"" + m.get("ackId").asText() + "\"]}");
    assertEquals(1, acked.json().get("acked").asInt());
    assertEquals(0, state(sub).get("inFlight").asInt());
    assertEquals(400, HTTP.request("GET",
        url + "/v1/subscriptions/" + sub + "/messages?max=0").status());
    assertEquals(400, HTTP.request("GET",
        url + "/v1/subscriptions/" + sub + "/messages?wait=soon").status());
    assertEquals(404, HTTP.request("GET",
        url + "/v1/subscriptions/" + unique("x") + "/messages?wait=PT0S").status());
  }

  @Test
  void outOfAttemptsAMessageGoesToTheDeadLetterTopic() throws Exception {
    String topic = unique("dl");
    String dlq = unique("dl-letters");
    String sub = unique("dl-sub");
    String letters = unique("dl-letters-sub");
    topic(topic, 2);
    var missing = HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"deadLetterTopic\":\"" + dlq + "\"}");
    assertEquals(400, missing.status(), "the dead-letter topic must exist");
    topic(dlq, 1);
    subscription(sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"maxDeliveries\":2,"
        + "\"deadLetterTopic\":\"" + dlq + "\"}");
    subscription(letters, "{\"topic\":\"" + dlq + "\",\"startAt\":\"earliest\"}");
    HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
        "{\"id\":\"poison\",\"key\":\"p\",\"data\":{\"bad\":true},\"attributes\":{\"type\":\"x\"}}");
    for (int attempt = 1; attempt <= 2; attempt++) {
      var r = HTTP.request("GET", url + "/v1/subscriptions/" + sub + "/messages?wait=PT10S");
      JsonNode m = r.json().get("messages").get(0);
      assertEquals(attempt, m.get("deliveryAttempt").asInt());
      var nack = HTTP.request("POST", url + "/v1/subscriptions/" + sub + "/nack",
          "{\"ackIds\":[\"" + m.get("ackId").asText() + "\"]}");
      assertEquals(1, nack.json().get("nacked").asInt());
    }
    var dead = HTTP.request("GET", url + "/v1/subscriptions/" + letters + "/messages?wait=PT10S");
    JsonNode letter = dead.json().get("messages").get(0);
    assertEquals("poison@" + sub, letter.get("id").asText());
    assertEquals("poison", letter.get("attributes").get("courier.id").asText());
    assertEquals("p", letter.get("key").asText());
    assertTrue(letter.get("data").get("bad").asBoolean());
    assertEquals("x", letter.get("attributes").get("type").asText());
    assertEquals(sub, letter.get("attributes").get("courier.subscription").asText());
    assertEquals("2", letter.get("attributes").get("courier.deliveryAttempts").asText());
    Await.until("the dead letter to count", () -> state(sub).get("deadLettered").asLong() == 1);
    var after = HTTP.request("GET", url + "/v1/subscriptions/" + sub + "/messages?wait=PT0.5S");
    assertEquals(0, after.json().get("messages").size(), "a dead-lettered message is done");
  }

  @Test
  void competingConsumersShareTheMessagesAndEverySubscriptionGetsThemAll() throws Exception {
    String topic = unique("group");
    String sub = unique("group-sub");
    String other = unique("group-other");
    topic(topic, 3);
    subscription(sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"maxInFlight\":20}");
    subscription(other, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}");
    List<FrameSocket> clients = List.of(ws(sub), ws(sub), ws(sub));
    try {
      Await.until("three consumers", () -> state(sub).get("consumers").asInt() == 3);
      publish(topic, 0, 300, 11);
      Map<Integer, Set<String>> perClient = new ConcurrentHashMap<>();
      List<CompletableFuture<Void>> runs = new ArrayList<>();
      Set<String> all = ConcurrentHashMap.newKeySet();
      for (int c = 0; c < clients.size(); c++) {
        int index = c;
        FrameSocket client = clients.get(c);
        perClient.put(index, ConcurrentHashMap.newKeySet());
        runs.add(CompletableFuture.runAsync(() -> {
          try {
            while (all.size() < 300) {
              JsonNode f = client.poll(Duration.ofMillis(200));
              if (f != null && "message".equals(f.path("type").asText())) {
                perClient.get(index).add(f.get("id").asText());
                all.add(f.get("id").asText());
                client.ack(List.of(f.get("ackId").asText()));
              }
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }));
      }
      CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      int total = 0;
      for (Set<String> got : perClient.values()) {
        assertTrue(got.size() > 0, "every consumer gets a share");
        total += got.size();
      }
      assertEquals(300, total, "disjoint: no message went to two consumers");
      assertEquals(300, all.size());
    } finally {
      clients.forEach(FrameSocket::close);
    }
    var rest = HTTP.request("GET",
        url + "/v1/subscriptions/" + other + "/messages?max=1000&wait=PT5S");
    Set<String> ids = new HashSet<>();
    int polls = 0;
    JsonNode page = rest.json();
    while (true) {
      page.get("messages").forEach(m -> ids.add(m.get("id").asText()));
      if (ids.size() >= 300 || ++polls > 20) {
        break;
      }
      page = HTTP.request("GET",
          url + "/v1/subscriptions/" + other + "/messages?max=1000&wait=PT5S").json();
    }
    assertEquals(300, ids.size(), "the other subscription receives every message too");
  }

  @Test
  void anOrderedSubscriptionKeepsPerKeyOrderUnderRedelivery() throws Exception {
    String topic = unique("ordered");
    String sub = unique("ordered-sub");
    topic(topic, 2);
    subscription(sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"ordered\":true}");
    publish(topic, 0, 120, 6);
    Map<String, Long> lastAcked = new HashMap<>();
    Map<String, String> inFlight = new HashMap<>();
    Set<String> nackedOnce = new HashSet<>();
    int acked = 0;
    try (FrameSocket a = ws(sub)) {
      while (acked < 120) {
        JsonNode m = a.next("message");
        String key = m.get("key").asText();
        String id = m.get("id").asText();
        String holder = inFlight.putIfAbsent(key, id);
        assertNull(holder, () -> "two messages of key " + key + " in flight: " + holder + ", " + id);
        long seq = m.get("data").get("seq").asLong();
        if (nackedOnce.add(id) && seq % 3 == 0) {
          inFlight.remove(key);
          a.send("{\"type\":\"nack\",\"ackIds\":[\"" + m.get("ackId").asText() + "\"]}");
          continue;
        }
        Long previous = lastAcked.put(key, seq);
        assertTrue(previous == null || previous < seq,
            () -> "key " + key + " went back from " + previous + " to " + seq);
        inFlight.remove(key);
        a.ack(List.of(m.get("ackId").asText()));
        acked++;
      }
    }
    assertEquals(6, lastAcked.size());
  }
}
