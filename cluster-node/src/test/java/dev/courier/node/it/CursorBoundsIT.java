package dev.courier.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
      assertEquals(200, Http.post(url + "/v1/topics/" + topic + "/messages",
          "{\"id\":\"" + id + "\",\"data\":\"" + id + "\"}").status());
    }
  }

  private static void create(String topic, String sub) {
    assertEquals(201, Http.put(url + "/v1/topics/" + topic, "{\"partitions\":1}").status());
    assertEquals(201, Http.put(url + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}").status());
  }

  private static String tagOf(String sub) {
    String cursor = Http.get(url + "/v1/subscriptions/" + sub).body().get("cursor").asText();
    return cursor.substring(0, cursor.indexOf(':'));
  }

  @Test
  void aSeekPastThePartitionsEndIsHeldToItAndSkipsNothing() throws Exception {
    String topic = unique("bounds");
    String sub = unique("bounds");
    create(topic, sub);
    publish(topic, "a", "b");
    var seek = Http.post(url + "/v1/subscriptions/" + sub + "/seek",
        "{\"to\":{\"cursor\":\"" + tagOf(sub) + ":1000000\"}}");
    assertEquals(200, seek.status(), () -> String.valueOf(seek.body()));
    assertEquals(tagOf(sub) + ":2", seek.body().get("cursor").asText(), "held to the head");
    publish(topic, "c");
    try (SseClient sse = SseClient.open(url + "/v1/subscriptions/" + sub + "/events", null)) {
      assertEquals("c", sse.next(1).get(0).data().get("id").asText());
    }
  }

  @Test
  void aCursorOfADeletedTopicDoesNotMoveTheNewOne() throws Exception {
    String topic = unique("again");
    String sub = unique("again");
    create(topic, sub);
    publish(topic, "old-1", "old-2", "old-3");
    String stale;
    try (SseClient sse = SseClient.open(url + "/v1/subscriptions/" + sub + "/events", null)) {
      List<SseClient.Event> events = sse.next(3);
      stale = events.get(2).id();
    }
    assertEquals(204, Http.send("DELETE", url + "/v1/subscriptions/" + sub, null).status());
    assertEquals(204, Http.send("DELETE", url + "/v1/topics/" + topic, null).status());
    create(topic, sub);
    publish(topic, "new-1", "new-2");

    String staleCursor = stale.contains("~") ? stale.substring(0, stale.lastIndexOf('~')) : stale;
    var seek = Http.post(url + "/v1/subscriptions/" + sub + "/seek",
        "{\"to\":{\"cursor\":\"" + staleCursor + "\"}}");
    assertEquals(400, seek.status(), () -> String.valueOf(seek.body()));
    assertTrue(seek.body().get("detail").asText().contains("incarnation"), seek.body().toString());

    try (SseClient sse = SseClient.open(url + "/v1/subscriptions/" + sub + "/events", stale)) {
      assertEquals(List.of("new-1", "new-2"),
          sse.next(2).stream().map(e -> e.data().get("id").asText()).toList(),
          "the stale Last-Event-ID is ignored: the stream starts at the subscription's position");
    }
  }
}
