package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.FrameSocket;
import dev.courier.client.HttpAnswer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The WebSocket publish stream on the real Cassandra: in order, durable, idempotent, robust. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PublishStreamIT extends OneNodeIT {

  private static String newTopic() {
    String topic = "stream-" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(201, HTTP.request("PUT",
        url + "/v1/topics/" + topic, "{\"partitions\":3}").status());
    return topic;
  }

  private static FrameSocket open(String topic) throws Exception {
    return HTTP.frames(url.replace("http:", "ws:") + "/v1/topics/" + topic + "/publish");
  }

  private static long stored(String topic) {
    long sum = 0;
    for (JsonNode head : HTTP.request("GET", url + "/v1/topics/" + topic).json().get("heads")) {
      sum += head.get("nextOffset").asLong();
    }
    return sum;
  }

  private static String message(String id, String key, int seq) {
    return "{\"id\":\"" + id + "\",\"key\":\"" + key + "\",\"data\":{\"seq\":" + seq + "}}";
  }

  @Test
  void aStreamOfADeletedTopicStoresNothingMoreEvenWhenTheNameIsTakenAgain() throws Exception {
    String topic = newTopic();
    try (FrameSocket ws = open(topic)) {
      ws.send(message("d-1", "k", 1));
      assertFalse(ws.next().has("type"), "a result frame");
      assertEquals(204, HTTP.request("DELETE", url + "/v1/topics/" + topic, null).status());
      ws.send(message("d-2", "k", 2));
      JsonNode refused = ws.next();
      assertEquals("error", refused.get("type").asText());
      assertEquals(404, refused.get("status").asInt());
      assertEquals(201, HTTP.request("PUT",
          url + "/v1/topics/" + topic, "{\"partitions\":3}").status());
      ws.send(message("d-3", "k", 3));
      assertEquals(404, ws.next().get("status").asInt(), "not into the new topic either");
    }
    assertEquals(0, stored(topic), "the new topic holds nothing the old stream sent");
  }

  @Test
  void pipelinedFramesAreAnsweredInOrderOncePublished() throws Exception {
    String topic = newTopic();
    List<String> sent = new ArrayList<>();
    try (FrameSocket ws = open(topic)) {
      for (int i = 0; i < 40; i++) {
        ws.send(message("s-" + i, "k-" + (i % 7), i));
        sent.add("s-" + i);
      }
      StringBuilder batch = new StringBuilder("{\"messages\":[");
      for (int i = 40; i < 45; i++) {
        batch.append(i == 40 ? "" : ",").append(message("s-" + i, "k-" + (i % 7), i));
        sent.add("s-" + i);
      }
      ws.send(batch.append("]}").toString());

      List<String> answered = new ArrayList<>();
      Set<String> places = new HashSet<>();
      JsonNode last = null;
      for (int i = 0; i < sent.size(); i++) {
        last = ws.next();
        answered.add(last.get("id").asText());
        assertFalse(last.get("duplicate").asBoolean());
        assertTrue(last.get("publishTime").isTextual());
        places.add(last.get("partition").asInt() + "/" + last.get("offset").asLong());
      }
      assertEquals(sent, answered, "one result per message, in the order sent");
      assertEquals(sent.size(), places.size(), "each at its own place");

      // Answered means stored: the heads and the latest-per-key table already show it.
      assertEquals(sent.size(), stored(topic));
      HttpAnswer newest = HTTP.request("GET", url + "/v1/topics/" + topic + "/latest?key=k-2");
      assertEquals(200, newest.status());
      assertEquals("s-44", newest.json().get("id").asText());
      assertEquals(last.get("offset").asLong(), newest.json().get("offset").asLong());
    }
  }

  @Test
  void aResentIdIsADuplicateWithItsOriginalPlace() throws Exception {
    String topic = newTopic();
    try (FrameSocket ws = open(topic)) {
      ws.send(message("d-1", "k", 1));
      JsonNode first = ws.next();
      ws.send(message("d-1", "k", 1));
      JsonNode again = ws.next();
      assertTrue(again.get("duplicate").asBoolean());
      assertEquals(first.get("partition").asInt(), again.get("partition").asInt());
      assertEquals(first.get("offset").asLong(), again.get("offset").asLong());
    }
    assertEquals(1, stored(topic));
  }

  @Test
  void aBadFrameGetsAnErrorInItsPlaceAndTheStreamGoesOn() throws Exception {
    String topic = newTopic();
    try (FrameSocket ws = open(topic)) {
      ws.send("{\"id\":\"ok-1\",\"data\":1}");
      ws.send("{\"data\": nope}");
      ws.send("{\"messages\":[{\"id\":\"bad\",\"data\":1},{\"id\":\"\",\"data\":2}]}");
      ws.send("{\"id\":\"ok-2\",\"data\":2}");

      assertEquals("ok-1", ws.next().get("id").asText());
      JsonNode malformed = ws.next();
      assertEquals("error", malformed.get("type").asText());
      assertEquals(400, malformed.get("status").asInt());
      JsonNode invalid = ws.next();
      assertEquals(400, invalid.get("status").asInt());
      assertEquals("messages[1].id", invalid.get("errors").get(0).get("field").asText());
      assertEquals("ok-2", ws.next().get("id").asText());
    }
    assertEquals(2, stored(topic), "nothing of the rejected batch was stored");
  }

  @Test
  void anUnknownTopicIsRefusedBeforeTheUpgrade() {
    assertEquals(404, HTTP.request("GET",
        url + "/v1/topics/no-such-" + UUID.randomUUID() + "/publish")
        .status());
    assertEquals(400, HTTP.request("GET", url + "/v1/topics/" + newTopic() + "/publish").status());
  }
}
