package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.client.SseConsumer;
import dev.courier.client.SseEvent;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cursors from clients (seek targets, SSE Last-Event-IDs) cannot skip messages: a position past a
 * partition's end is held to it, and a cursor of a deleted topic does not move a subscription of
 * the topic created again under the same name.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CursorBoundsIT extends OneNodeIT {
  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static void publish(String topic, String... ids) {
    for (String id : ids) {
      assertEquals(200, HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
          "{\"id\":\"" + id + "\",\"data\":\"" + id + "\"}").status());
    }
  }

  private static void create(String topic, String sub) {
    assertEquals(201, HTTP.request("PUT",
        url + "/v1/topics/" + topic, "{\"partitions\":1}").status());
    assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}").status());
  }

  private static String tagOf(String sub) {
    String cursor = HTTP.request("GET",
        url + "/v1/subscriptions/" + sub).json().get("cursor").asText();
    return cursor.substring(0, cursor.indexOf(':'));
  }

  @Test
  void aSeekPastThePartitionsEndIsHeldToItAndSkipsNothing() throws Exception {
    String topic = unique("bounds");
    String sub = unique("bounds");
    create(topic, sub);
    publish(topic, "a", "b");
    var seek = HTTP.request("POST", url + "/v1/subscriptions/" + sub + "/seek",
        "{\"to\":{\"cursor\":\"" + tagOf(sub) + ":1000000\"}}");
    assertEquals(200, seek.status(), () -> seek.body());
    assertEquals(tagOf(sub) + ":2", seek.json().get("cursor").asText(), "held to the head");
    publish(topic, "c");
    try (SseConsumer sse = TestNode.sse(url, sub, null)) {
      assertEquals("c", sse.messages(1, TestNode.AWAIT).get(0).json().get("id").asText());
    }
  }

  @Test
  void aCursorOfADeletedTopicDoesNotMoveTheNewOne() throws Exception {
    String topic = unique("again");
    String sub = unique("again");
    create(topic, sub);
    publish(topic, "old-1", "old-2", "old-3");
    String stale;
    try (SseConsumer sse = TestNode.sse(url, sub, null)) {
      List<SseEvent> events = sse.messages(3, TestNode.AWAIT);
      stale = events.get(2).id();
    }
    assertEquals(204, HTTP.request("DELETE", url + "/v1/subscriptions/" + sub, null).status());
    assertEquals(204, HTTP.request("DELETE", url + "/v1/topics/" + topic, null).status());
    create(topic, sub);
    publish(topic, "new-1", "new-2");

    String staleCursor = stale.contains("~") ? stale.substring(0, stale.lastIndexOf('~')) : stale;
    var seek = HTTP.request("POST", url + "/v1/subscriptions/" + sub + "/seek",
        "{\"to\":{\"cursor\":\"" + staleCursor + "\"}}");
    assertEquals(400, seek.status(), () -> seek.body());
    assertTrue(seek.json().get("detail").asText().contains("incarnation"), seek.json().toString());

    try (SseConsumer sse = TestNode.sse(url, sub, stale)) {
      assertEquals(List.of("new-1", "new-2"),
          sse.messages(2, TestNode.AWAIT).stream().map(e -> e.json().get("id").asText()).toList(),
          "the stale Last-Event-ID is ignored: the stream starts at the subscription's position");
    }
  }
}
