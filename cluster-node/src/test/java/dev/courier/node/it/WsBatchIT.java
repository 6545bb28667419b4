package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.FrameSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A WebSocket consumer that asks for {@code ?batch=true} gets {@code messages} frames. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WsBatchIT {
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void batchedFramesCarryEveryMessageOnceAndAckLikeSingleOnes() throws Exception {
    String topic = "batch-" + UUID.randomUUID().toString().substring(0, 8);
    String sub = topic + "-sub";
    String url = node.url();
    assertEquals(201, HTTP.request("PUT",
        url + "/v1/topics/" + topic, "{\"partitions\":2}").status());
    assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}").status());
    StringBuilder batch = new StringBuilder("{\"messages\":[");
    for (int i = 0; i < 300; i++) {
      batch.append(i > 0 ? "," : "").append("{\"id\":\"b-").append(i)
          .append("\",\"data\":{\"i\":").append(i).append("}}");
    }
    assertEquals(200, HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
        batch.append("]}").toString()).status());

    try (FrameSocket client = HTTP.frames(url + "/v1/subscriptions/" + sub + "/ws?batch=true")) {
      Set<String> ids = new HashSet<>();
      List<String> ackIds = new ArrayList<>();
      int frames = 0;
      while (ids.size() < 300) {
        JsonNode frame = client.next();
        assertEquals("messages", frame.get("type").asText(), () -> "a batch frame: " + frame);
        frames++;
        for (JsonNode m : frame.get("messages")) {
          assertTrue(ids.add(m.get("id").asText()), () -> "once: " + m);
          assertEquals(1, m.get("deliveryAttempt").asInt());
          assertEquals(m.get("id").asText(), "b-" + m.get("data").get("i").asInt());
          ackIds.add(m.get("ackId").asText());
        }
      }
      assertTrue(frames < 300, "several messages share a frame: " + frames + " frames");
      client.ack(ackIds);
      Set<String> confirmed = new HashSet<>();
      while (confirmed.size() < 300) {
        client.next("acked").get("ackIds").forEach(id -> confirmed.add(id.asText()));
      }
      assertEquals(new HashSet<>(ackIds), confirmed);
    }
    JsonNode state = HTTP.request("GET", url + "/v1/subscriptions/" + sub).json();
    assertEquals(300, state.get("acked").asLong());
  }

  @Test
  void anythingButTrueOrFalseIsABadRequest() {
    var r = HTTP.request("GET", node.url() + "/v1/subscriptions/whatever/ws?batch=yes");
    assertEquals(400, r.status());
    assertEquals("batch", r.json().get("errors").get(0).get("field").asText());
  }
}
