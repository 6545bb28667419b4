package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.FrameSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The per-consumer byte cap on a real node (2.5 MB here): a WebSocket consumer with a window of 100
 * messages that does not ack 1 MB messages holds three of them, the cap plus at most one message
 * (the subscription's inFlight and {@code courier_consumer_held_bytes} say so), and once it acks,
 * every message comes, once, in order.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConsumerBytesIT {
  private static final int MESSAGES = 12;
  private static TestNode node;
  private static String url;

  @BeforeAll
  static void start() {
    node = TestNode.start("courier.subscription.max-consumer-bytes = 2500000");
    url = node.url();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  @Test
  void aWebSocketThatDoesNotAckHoldsTheCapAndGetsEverythingOnceItDoes() throws Exception {
    String topic = "bytes-" + UUID.randomUUID().toString().substring(0, 8);
    String sub = topic + "-ws";
    assertEquals(201, HTTP.request("PUT", url + "/v1/topics/" + topic, "{\"partitions\":1}").status());
    assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"maxInFlight\":1000}").status());
    String data = "d".repeat(1_000_000);
    for (int i = 0; i < MESSAGES; i++) {
      assertEquals(200, HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
          "{\"id\":\"big-" + i + "\",\"data\":\"" + data + "\"}").status());
    }

    try (FrameSocket ws = HTTP.frames(url + "/v1/subscriptions/" + sub + "/ws")) {
      ws.send("{\"type\":\"credit\",\"messages\":100}");
      List<JsonNode> got = new ArrayList<>(ws.next("message", 3));
      JsonNode fourth = ws.poll(Duration.ofSeconds(2));
      assertTrue(fourth == null, () -> "no fourth message while three are unacked, got "
          + fourth.path("id").asText());
      assertEquals(3, LeasedDeliveryIT.stateAt(url, sub).get("inFlight").asInt(),
          "two 1 MB messages are below 2.5 MB, the third passes it: no more, whatever the window");
      // /metrics says what the consumer holds: three messages, under the cap plus one message.
      Await.until("the held bytes reported", () -> Scrape.of(url)
          .count("courier_consumer_held_bytes", "subscription", sub) >= 3_000_000);
      double held = Scrape.of(url).count("courier_consumer_held_bytes", "subscription", sub);
      assertTrue(held < 2_500_000 + 1_001_000, "held " + held);

      // Acking as it reads, the consumer gets the rest; never more than three unacked.
      for (int i = 0; i < MESSAGES; i++) {
        ws.ack(List.of(got.get(i).get("ackId").asText()));
        if (got.size() < MESSAGES) {
          got.add(ws.next("message"));
        }
        assertTrue(LeasedDeliveryIT.stateAt(url, sub).get("inFlight").asInt() <= 3);
      }
      List<String> ids = got.stream().map(m -> m.get("id").asText()).toList();
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < MESSAGES; i++) {
        expected.add("big-" + i);
      }
      assertEquals(expected, ids, "every message, once, in order");
      assertTrue(got.stream().allMatch(m -> m.get("data").asText().equals(data)), "whole");
      Await.until("everything acked",
          () -> LeasedDeliveryIT.stateAt(url, sub).get("inFlight").asInt() == 0);
      Await.until("nothing held", () -> Scrape.of(url)
          .count("courier_consumer_held_bytes", "subscription", sub) == 0);
    }
  }
}
