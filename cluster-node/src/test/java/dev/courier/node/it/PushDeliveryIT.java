package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Webhook push end to end against a real HTTP receiver that verifies every Standard Webhooks
 * signature: retries with a stable webhook-id, window-bound concurrency, acks, dead letters, an
 * ordered push subscription whose failing key does not hold up the others, and delivery resuming
 * after a restart with no client attached.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PushDeliveryIT {

  private static String pushSettings(String topic, WebhookReceiver receiver, String secret,
      String extra) {
    return "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"" + extra
        + ",\"push\":{\"url\":\"" + receiver.url() + "\",\"secret\":\"" + secret + "\"}}";
  }

  private static long distinctAccepted(WebhookReceiver receiver) {
    return receiver.accepted().stream().map(WebhookReceiver.Received::message).distinct().count();
  }

  @Test
  void pushesSignedRetriesFailuresAcksAndDeadLettersAPoisonKey() throws Exception {
    try (TestNode node = TestNode.start();
        WebhookReceiver receiver = WebhookReceiver.start(WebhookReceiver.newSecret())) {
      String url = node.url();
      String secret = receiver.secret();
      String topic = LeasedDeliveryIT.unique("push");
      String dlq = topic + "-dlq";
      String sub = topic + "-sub";
      String letters = topic + "-letters";
      assertEquals(201, HTTP.request("PUT",
          url + "/v1/topics/" + topic, "{\"partitions\":2}").status());
      assertEquals(201, HTTP.request("PUT", url + "/v1/topics/" + dlq, "{}").status());
      assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + letters,
          "{\"topic\":\"" + dlq + "\",\"startAt\":\"earliest\"}").status());
      receiver.failNext(5);
      receiver.failKey("poison");
      var created = HTTP.request("PUT",
          url + "/v1/subscriptions/" + sub, pushSettings(topic, receiver,
          secret, ",\"maxInFlight\":4,\"ordered\":true,\"maxDeliveries\":3,\"deadLetterTopic\":\""
              + dlq + "\""));
      assertEquals(201, created.status(), created.json()::toString);
      assertTrue(!created.json().get("push").get("secret").asText().equals(secret),
          "the secret is never shown");
      StringBuilder batch = new StringBuilder("{\"messages\":[");
      for (int i = 0; i < 30; i++) {
        batch.append(i > 0 ? "," : "").append("{\"id\":\"p-").append(i).append("\",\"key\":\"k-")
            .append(i % 5).append("\",\"data\":{\"seq\":").append(i).append("}}");
      }
      batch.append(",{\"id\":\"bad-1\",\"key\":\"poison\",\"data\":{\"seq\":-1}}]}");
      assertEquals(200, HTTP.request("POST",
          url + "/v1/topics/" + topic + "/messages", batch.toString()).status());

      Await.until("30 accepted", () -> distinctAccepted(receiver) == 30);
      assertEquals(List.of(), receiver.badlySigned(), "every request verifies");
      assertTrue(receiver.maxConcurrent() <= 4, "concurrency " + receiver.maxConcurrent());
      Map<String, Set<String>> webhookIds = new HashMap<>();
      Map<String, Long> lastSeqPerKey = new HashMap<>();
      for (var r : receiver.received()) {
        webhookIds.computeIfAbsent(r.message(), k -> new HashSet<>()).add(r.webhookId());
      }
      webhookIds.values().forEach(ids -> assertEquals(1, ids.size(), "webhook-id is stable"));
      for (var r : receiver.accepted()) {
        String key = r.json().get("key").asText();
        long seq = r.json().get("data").get("seq").asLong();
        Long before = lastSeqPerKey.put(key, seq);
        assertTrue(before == null || before < seq, "per-key order on an ordered push");
      }
      assertTrue(receiver.received().stream().anyMatch(r -> r.deliveryAttempt() > 1), "retried");

      var dead = HTTP.request("GET",
          url + "/v1/subscriptions/" + letters + "/messages?wait=PT30S").json();
      JsonNode letter = dead.get("messages").get(0);
      assertEquals("bad-1@" + sub, letter.get("id").asText());
      assertEquals("bad-1", letter.get("attributes").get("courier.id").asText());
      assertEquals("3", letter.get("attributes").get("courier.deliveryAttempts").asText());
      long poisonAttempts = receiver.received().stream()
          .filter(r -> "poison".equals(r.json().get("key").asText())).count();
      assertEquals(3, poisonAttempts, "maxDeliveries attempts, then the dead letters");
      Await.until("acks and the dead letter to be durable", () -> {
        JsonNode s = LeasedDeliveryIT.stateAt(url, sub);
        return s.get("acked").asLong() == 30 && s.get("deadLettered").asLong() == 1;
      });

      int before = receiver.received().size();
      HTTP.request("POST",
          url + "/v1/topics/" + topic + "/messages", "{\"id\":\"late\",\"data\":1}");
      Await.until("the next message", () -> receiver.accepted().stream()
          .anyMatch(r -> "late".equals(r.json().get("id").asText())));
      assertEquals(before + 1, receiver.received().size(), "nothing acked came again");
      // Push subscriptions are woken until deleted: leave none behind.
      assertEquals(204, HTTP.request("DELETE", url + "/v1/subscriptions/" + sub, null).status());
    }
  }

  @Test
  void aPushSubscriptionResumesAfterARestartWithNoClient() throws Exception {
    try (WebhookReceiver receiver = WebhookReceiver.start(WebhookReceiver.newSecret())) {
      String topic = LeasedDeliveryIT.unique("push-restart");
      String sub = topic + "-sub";
      try (TestNode node = TestNode.start()) {
        String url = node.url();
        assertEquals(201, HTTP.request("PUT", url + "/v1/topics/" + topic, "{}").status());
        assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
            pushSettings(topic, receiver, receiver.secret(), "")).status());
        HTTP.request("POST",
            url + "/v1/topics/" + topic + "/messages", "{\"id\":\"before\",\"data\":1}");
        Await.until("the first message", () -> distinctAccepted(receiver) == 1);
        Await.until("its ack", () -> LeasedDeliveryIT.stateAt(url, sub).get("acked").asLong() == 1);
      }
      // Counted once acked: a push retried before its ack (a slow answer) is not a repeat.
      long beforeRestart = receiver.received().stream()
          .filter(r -> "before".equals(r.json().get("id").asText())).count();
      try (TestNode node = TestNode.start()) {
        HTTP.request("POST",
            node.url() + "/v1/topics/" + topic + "/messages", "{\"id\":\"after\",\"data\":2}");
        Await.until("delivery after the restart", () -> receiver.accepted().stream()
            .anyMatch(r -> "after".equals(r.json().get("id").asText())));
        assertEquals(beforeRestart, receiver.received().stream()
            .filter(r -> "before".equals(r.json().get("id").asText())).count(),
            "the acknowledged message is not pushed again");
        assertEquals(204, HTTP.request("DELETE",
            node.url() + "/v1/subscriptions/" + sub, null).status());
      }
    }
  }
}
