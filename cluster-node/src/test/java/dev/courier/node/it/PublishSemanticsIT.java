package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.HttpAnswer;
import dev.courier.client.SseConsumer;
import dev.courier.client.SseEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Idempotence under concurrency (G2), per-key order (G3), one-way publishing. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PublishSemanticsIT extends OneNodeIT {
  private static String newTopic(int partitions) {
    String topic = "pub-" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(201, HTTP.request("PUT", url + "/v1/topics/" + topic,
        "{\"partitions\":" + partitions + "}").status());
    return topic;
  }

  private static long stored(String topic) {
    long sum = 0;
    for (JsonNode head : HTTP.request("GET", url + "/v1/topics/" + topic).json().get("heads")) {
      sum += head.get("nextOffset").asLong();
    }
    return sum;
  }

  private static String batch(int from, int count) {
    StringBuilder b = new StringBuilder("{\"messages\":[");
    for (int i = from; i < from + count; i++) {
      b.append(i == from ? "" : ",").append("{\"id\":\"m-").append(i).append("\",\"key\":\"k-")
          .append(i % 10).append("\",\"data\":{\"seq\":").append(i).append("}}");
    }
    return b.append("]}").toString();
  }

  @Test
  void theSameIdsPublishedConcurrentlyAreStoredOnce() {
    String topic = newTopic(3);
    String body = batch(0, 50);
    List<CompletableFuture<HttpAnswer>> sends = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      sends.add(CompletableFuture.supplyAsync(
          () -> HTTP.request("POST", url + "/v1/topics/" + topic + "/messages", body)));
    }
    Map<String, String> placeOf = new HashMap<>();
    Map<String, Integer> firstStores = new HashMap<>();
    for (var send : sends) {
      HttpAnswer r = send.join();
      assertEquals(200, r.status());
      for (JsonNode result : r.json().get("results")) {
        String id = result.get("id").asText();
        String place = result.get("partition").asInt() + "/" + result.get("offset").asLong();
        String earlier = placeOf.putIfAbsent(id, place);
        assertTrue(earlier == null || earlier.equals(place), "every answer names the same place");
        if (!result.get("duplicate").asBoolean()) {
          firstStores.merge(id, 1, Integer::sum);
        }
      }
    }
    assertEquals(50, placeOf.size());
    assertEquals(50, firstStores.size(), "each id stored by exactly one of the requests");
    firstStores.values().forEach(n -> assertEquals(1, n));
    assertEquals(50, stored(topic));
  }

  @Test
  void aKeyKeepsItsOrderThroughDelivery() throws Exception {
    String topic = newTopic(3);
    String sub = topic + "-sub";
    assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}").status());
    for (int i = 0; i < 4; i++) {
      assertEquals(200, HTTP.request("POST",
          url + "/v1/topics/" + topic + "/messages", batch(i * 50, 50))
          .status());
    }
    Map<String, Integer> lastSeq = new HashMap<>();
    Map<String, Integer> partitionOf = new HashMap<>();
    try (SseConsumer sse = TestNode.sse(url, sub, null)) {
      for (SseEvent e : sse.messages(200, TestNode.AWAIT)) {
        String key = e.json().get("key").asText();
        int seq = e.json().get("data").get("seq").asInt();
        Integer before = lastSeq.put(key, seq);
        assertTrue(before == null || before < seq, () -> key + " out of order at " + seq);
        Integer p = partitionOf.putIfAbsent(key, e.json().get("partition").asInt());
        assertTrue(p == null || p == e.json().get("partition").asInt(), "a key has one partition");
      }
    }
    assertEquals(10, lastSeq.size());
  }

  @Test
  void respondAsyncAnswers202AndTheMessagesBecomeDurable() throws Exception {
    String topic = newTopic(2);
    HttpAnswer r =
        HTTP.request("POST", url + "/v1/topics/" + topic + "/messages", batch(0, 20),
            "Prefer", "respond-async");
    assertEquals(202, r.status());
    assertEquals(20, r.json().get("ids").size());
    Await.until("one-way messages to be stored", () -> stored(topic) == 20);
  }
}
