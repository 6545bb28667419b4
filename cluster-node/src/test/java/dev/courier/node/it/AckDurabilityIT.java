package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.FrameSocket;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * G4 across a node restart mid-stream: no acknowledged message is delivered again; everything
 * unacknowledged is, marked as a possible repeat when it may have been sent before.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AckDurabilityIT {

  @Test
  void aRestartMidStreamRedeliversNoAcknowledgedMessage() throws Exception {
    String topic = "acks-" + UUID.randomUUID().toString().substring(0, 8);
    String sub = topic + "-sub";
    Set<String> acked = new HashSet<>();
    Set<String> unacked = new HashSet<>();
    try (TestNode node = TestNode.start()) {
      String url = node.url();
      assertEquals(201, HTTP.request("PUT",
          url + "/v1/topics/" + topic, "{\"partitions\":3}").status());
      assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
          "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}").status());
      publish(url, topic, 100);
      try (FrameSocket client = HTTP.frames(url + "/v1/subscriptions/" + sub + "/ws")) {
        List<JsonNode> got = client.next("message", 100);
        List<JsonNode> toAck = got.subList(0, 60);
        client.ack(toAck.stream().map(m -> m.get("ackId").asText()).toList());
        Set<String> confirmed = new HashSet<>();
        while (confirmed.size() < 60) {
          client.next("acked").get("ackIds").forEach(id -> confirmed.add(id.asText()));
        }
        toAck.forEach(m -> acked.add(m.get("id").asText()));
        got.subList(60, 100).forEach(m -> unacked.add(m.get("id").asText()));
      }
    }
    try (TestNode node = TestNode.start()) {
      String url = node.url();
      try (FrameSocket client = HTTP.frames(url + "/v1/subscriptions/" + sub + "/ws")) {
        Set<String> again = new HashSet<>();
        for (JsonNode m : client.next("message", 40)) {
          String id = m.get("id").asText();
          assertFalse(acked.contains(id), () -> "acknowledged " + id + " was delivered again");
          assertEquals(2, m.get("deliveryAttempt").asInt(), "a repeat says so");
          again.add(id);
        }
        assertEquals(unacked, again, "every unacknowledged message comes again");
        assertTrue(client.poll(java.time.Duration.ofMillis(700)) == null, "and nothing else");
      }
    }
  }

  private static void publish(String url, String topic, int count) {
    StringBuilder batch = new StringBuilder("{\"messages\":[");
    for (int i = 0; i < count; i++) {
      batch.append(i > 0 ? "," : "").append("{\"id\":\"a-").append(i)
          .append("\",\"data\":").append(i).append('}');
    }
    var r = HTTP.request("POST",
        url + "/v1/topics/" + topic + "/messages", batch.append("]}").toString());
    assertEquals(200, r.status());
  }
}
