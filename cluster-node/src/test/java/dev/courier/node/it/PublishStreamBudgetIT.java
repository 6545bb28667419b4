package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.FrameSocket;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The publish stream's frames count in the node's publish budget (1 MiB here) on a real node: a
 * frame being read holds its bytes, so POSTs past the budget are refused 429, and so is another
 * stream's frame that does not fit beside it (in its place, the stream going on); once the frame
 * is answered its bytes are free again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PublishStreamBudgetIT {
  private static TestNode node;
  private static String url;

  @BeforeAll
  static void start() {
    node = TestNode.start("courier.http.limits.max-publish-bytes-in-flight = 1MiB");
    url = node.url();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static String newTopic() {
    String topic = "budget-" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(201, HTTP.request("PUT", url + "/v1/topics/" + topic, "{\"partitions\":2}").status());
    return topic;
  }

  private static String message(String id, int dataBytes) {
    return "{\"id\":\"" + id + "\",\"data\":\"" + "m".repeat(dataBytes) + "\"}";
  }

  private static long stored(String topic) {
    long sum = 0;
    for (JsonNode head : HTTP.request("GET", url + "/v1/topics/" + topic).json().get("heads")) {
      sum += head.get("nextOffset").asLong();
    }
    return sum;
  }

  @Test
  void framesBeingReadHoldTheBudgetAndAnotherStreamWaitsForRoom() throws Exception {
    String topic = newTopic();
    String ws = url + "/v1/topics/" + topic + "/publish";
    String unparsable = "{\"data\": \"" + "u".repeat(500_000);
    try (FrameSocket first = HTTP.frames(ws); FrameSocket second = HTTP.frames(ws)) {
      String big = message("big-1", 900_000);
      first.sendPart(big.substring(0, 700_000), false);
      // The budget is checked on Content-Length before a body is read: an unparsable body is
      // answered 429 while the budget is full, 400 once it is read (and nothing is stored).
      Await.until("the first stream's 700 kB are held: a 500 kB POST is refused",
          () -> HTTP.request("POST", url + "/v1/topics/" + topic + "/messages", unparsable)
              .status() == 429);

      // The second stream's frame does not fit beside it: refused 429 in its place, not stored.
      second.send(message("second-1", 500_000));
      JsonNode refused = second.next();
      assertEquals("error", refused.path("type").asText(), refused.toString());
      assertEquals(429, refused.get("status").asInt(), refused.toString());

      first.sendPart(big.substring(700_000), true);
      JsonNode firstResult = first.next();
      assertEquals("big-1", firstResult.get("id").asText(), firstResult.toString());

      // Answered, the first frame gave its bytes back: the same frame, sent again, goes through.
      second.send(message("second-1", 500_000));
      JsonNode secondResult = second.next();
      assertEquals("second-1", secondResult.get("id").asText(), secondResult.toString());
      assertFalse(secondResult.get("duplicate").asBoolean());
    }
    assertEquals(2, stored(topic), "both frames stored");
    Await.until("the budget is free again", () -> HTTP.request("POST", 
        url + "/v1/topics/" + topic + "/messages", unparsable).status() == 400);
  }
}
