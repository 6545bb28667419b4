package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Delivery attempts are part of a subscription's durable state: after a restart a message goes on
 * counting from the attempt it had reached, and {@code maxDeliveries} sends it to the dead letters
 * on time.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeliveryAttemptsIT {

  @Test
  void attemptsCountOnAcrossARestart() throws Exception {
    String topic = "attempts-" + UUID.randomUUID().toString().substring(0, 8);
    String dlq = topic + "-dlq";
    String sub = topic + "-sub";
    try (TestNode node = TestNode.start()) {
      String url = node.url();
      assertEquals(201, HTTP.request("PUT",
          url + "/v1/topics/" + topic, "{\"partitions\":1}").status());
      assertEquals(201, HTTP.request("PUT",
          url + "/v1/topics/" + dlq, "{\"partitions\":1}").status());
      assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + dlq + "-sub",
          "{\"topic\":\"" + dlq + "\",\"startAt\":\"earliest\"}").status());
      assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
          "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"maxDeliveries\":3,"
              + "\"deadLetterTopic\":\"" + dlq + "\"}").status());
      assertEquals(200, HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
          "{\"id\":\"once\",\"data\":1}").status());
      assertEquals(1, pollAndNack(url, sub), "first delivery");
      assertEquals(2, pollAndNack(url, sub), "second delivery");
    }
    try (TestNode node = TestNode.start()) {
      String url = node.url();
      assertEquals(3, pollAndNack(url, sub), "the count goes on after the restart");
      JsonNode letter = poll(url, dlq + "-sub");
      assertEquals("once@" + sub, letter.get("id").asText());
      assertEquals("once", letter.get("attributes").get("courier.id").asText());
      assertEquals("3", letter.get("attributes").get("courier.deliveryAttempts").asText());
      var after = HTTP.request("GET",
          url + "/v1/subscriptions/" + sub + "/messages?max=10&wait=PT2S");
      assertEquals(0, after.json().get("messages").size(), "out of attempts: not delivered again");
    }
  }

  private static int pollAndNack(String url, String sub) {
    JsonNode m = poll(url, sub);
    var nack = HTTP.request("POST", url + "/v1/subscriptions/" + sub + "/nack",
        "{\"ackIds\":[\"" + m.get("ackId").asText() + "\"]}");
    assertEquals(200, nack.status());
    return m.get("deliveryAttempt").asInt();
  }

  private static JsonNode poll(String url, String sub) {
    var r = HTTP.request("GET", url + "/v1/subscriptions/" + sub + "/messages?max=1&wait=PT20S");
    assertEquals(200, r.status());
    assertEquals(1, r.json().get("messages").size(),
        () -> "a message for " + sub + ": " + r.body());
    return r.json().get("messages").get(0);
  }
}
