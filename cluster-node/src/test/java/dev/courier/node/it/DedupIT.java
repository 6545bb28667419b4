package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.HttpAnswer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Idempotent publishing (G2) from the partition owner's memory: across a restart, past the dedup
 * window, through Bloom filter false positives, and for the same id with another key. The node
 * runs with tiny dedup chunks and filters that answer "maybe" half the time, so every tier and
 * every confirmation path is used.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DedupIT {
  private static final String TINY =
      """
      courier.topic-partition.recent-ids = 3
      courier.topic-partition.dedup.chunk-ids = 4
      courier.topic-partition.dedup.exact-chunks = 1
      courier.topic-partition.dedup.bloom-fpp = 0.5
      """;

  private static String newTopic(String url, String settings) {
    String topic = "dedup-" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(201, HTTP.request("PUT", url + "/v1/topics/" + topic, settings).status());
    return topic;
  }

  private static String batch(String prefix, int from, int count, String key) {
    StringBuilder b = new StringBuilder("{\"messages\":[");
    for (int i = from; i < from + count; i++) {
      b.append(i == from ? "" : ",").append("{\"id\":\"").append(prefix).append(i).append('"');
      if (key != null) {
        b.append(",\"key\":\"").append(key).append('"');
      }
      b.append(",\"data\":").append(i).append('}');
    }
    return b.append("]}").toString();
  }

  private static List<JsonNode> publish(String url, String topic, String body) {
    HttpAnswer r = HTTP.request("POST", url + "/v1/topics/" + topic + "/messages", body);
    assertEquals(200, r.status(), () -> r.body());
    List<JsonNode> results = new ArrayList<>();
    r.json().get("results").forEach(results::add);
    return results;
  }

  private static long head(String url, String topic) {
    return HTTP.request("GET",
        url + "/v1/topics/" + topic).json().get("heads").get(0).get("nextOffset")
        .asLong();
  }

  @Test
  void retriesAreDuplicatesAcrossARestartAndFalsePositivesStoreNewIds() {
    String topic;
    List<JsonNode> first;
    try (TestNode node = TestNode.start(TINY)) {
      topic = newTopic(node.url(), "{\"partitions\":1}");
      first = new ArrayList<>();
      for (int b = 0; b < 5; b++) {
        first.addAll(publish(node.url(), topic, batch("r-", b * 8, 8, "k")));
      }
      first.forEach(r -> assertFalse(r.get("duplicate").asBoolean()));
      // 40 fresh ids against 10 filters at fpp 0.5: many "maybe"s, each confirmed absent.
      for (JsonNode r : publish(node.url(), topic, batch("fresh-", 0, 40, "k"))) {
        assertFalse(r.get("duplicate").asBoolean(), "a false positive is not a duplicate");
      }
      assertEquals(80, head(node.url(), topic));
    }
    try (TestNode node = TestNode.start(TINY)) {
      List<JsonNode> retry = publish(node.url(), topic, batch("r-", 0, 40, "k"));
      for (int i = 0; i < 40; i++) {
        assertTrue(retry.get(i).get("duplicate").asBoolean(), "r-" + i + " after a restart");
        assertEquals(first.get(i).get("offset").asLong(), retry.get(i).get("offset").asLong());
        assertEquals(
            first.get(i).get("publishTime").asText(), retry.get(i).get("publishTime").asText());
      }
      List<JsonNode> more = publish(node.url(), topic, batch("after-", 0, 10, "k"));
      assertEquals(80, more.get(0).get("offset").asLong());
      more.forEach(r -> assertFalse(r.get("duplicate").asBoolean()));
      assertEquals(90, head(node.url(), topic));
    }
  }

  @Test
  void anIdCountsOnlyWithinTheDedupWindow() throws Exception {
    try (TestNode node = TestNode.start(TINY)) {
      String topic = newTopic(node.url(), "{\"partitions\":1,\"dedupWindow\":\"PT2S\"}");
      JsonNode first = publish(node.url(), topic, batch("w-", 0, 1, null)).get(0);
      JsonNode again = publish(node.url(), topic, batch("w-", 0, 1, null)).get(0);
      assertTrue(again.get("duplicate").asBoolean(), "within the window");
      assertEquals(first.get("offset").asLong(), again.get("offset").asLong());
      // The window is measured from the first publish: wait until the node's clock is past it.
      Instant past = Instant.parse(first.get("publishTime").asText()).plusMillis(2_100);
      Await.until("the dedup window to pass", () -> Instant.now().isAfter(past));
      JsonNode later = publish(node.url(), topic, batch("w-", 0, 1, null)).get(0);
      assertFalse(later.get("duplicate").asBoolean(), "past the window the id is new again");
      assertEquals(1, later.get("offset").asLong());
    }
  }

  @Test
  void theSameIdWithAnotherKeyIsAnotherMessage() {
    try (TestNode node = TestNode.start(TINY)) {
      String topic = newTopic(node.url(), "{\"partitions\":1}");
      JsonNode a = publish(node.url(), topic, batch("x-", 0, 1, "a")).get(0);
      JsonNode b = publish(node.url(), topic, batch("x-", 0, 1, "b")).get(0);
      JsonNode none = publish(node.url(), topic, batch("x-", 0, 1, null)).get(0);
      assertFalse(b.get("duplicate").asBoolean());
      assertFalse(none.get("duplicate").asBoolean());
      assertEquals(3, head(node.url(), topic));
      // Push the first ones out of the recent ids and the exact tier, then retry each.
      publish(node.url(), topic, batch("fill-", 0, 20, "a"));
      JsonNode retryA = publish(node.url(), topic, batch("x-", 0, 1, "a")).get(0);
      JsonNode retryB = publish(node.url(), topic, batch("x-", 0, 1, "b")).get(0);
      assertTrue(retryA.get("duplicate").asBoolean());
      assertEquals(a.get("offset").asLong(), retryA.get("offset").asLong());
      assertTrue(retryB.get("duplicate").asBoolean());
      assertEquals(b.get("offset").asLong(), retryB.get("offset").asLong());
      assertEquals(23, head(node.url(), topic));
    }
  }
}
