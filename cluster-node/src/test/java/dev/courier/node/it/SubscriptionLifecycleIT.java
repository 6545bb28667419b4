package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.SseConsumer;
import dev.courier.client.SseEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Start positions, seek, listing and deletion, on one node and the real Cassandra. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SubscriptionLifecycleIT extends OneNodeIT {
  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static void publish(String topic, String... ids) {
    for (String id : ids) {
      var r = HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
          "{\"id\":\"" + id + "\",\"data\":\"" + id + "\"}");
      assertEquals(200, r.status());
    }
  }

  private static List<String> read(String sub, int count) throws Exception {
    List<String> ids = new ArrayList<>();
    try (SseConsumer sse = TestNode.sse(url, sub, null)) {
      for (SseEvent e : sse.messages(count, TestNode.AWAIT)) {
        ids.add(e.json().get("id").asText());
      }
    }
    return ids;
  }

  /** Publish times have millisecond precision: make sure the next one is later than {@code t}. */
  private static void awaitClockPast(Instant t) {
    while (!Instant.now().isAfter(t)) {
      Thread.onSpinWait();
    }
  }

  private static String topic(int partitions) {
    String topic = unique("life");
    assertEquals(201, HTTP.request("PUT", url + "/v1/topics/" + topic,
        "{\"partitions\":" + partitions + "}").status());
    return topic;
  }

  private static void subscribe(String sub, String topic, String startAt) {
    var r = HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"" + startAt + "\"}");
    assertEquals(201, r.status(), () -> r.body());
  }

  @Test
  void latestSkipsWhatCameBeforeAndTimeStartsAtThatTime() throws Exception {
    String topic = topic(1);
    publish(topic, "old-1", "old-2");
    Instant between = Instant.now().plusMillis(1);
    awaitClockPast(between);
    String latest = unique("latest");
    subscribe(latest, topic, "latest");
    String fromTime = unique("time");
    publish(topic, "new-1");
    subscribe(fromTime, topic, between.toString());
    assertEquals(List.of("new-1"), read(latest, 1));
    assertEquals(List.of("new-1"), read(fromTime, 1));
  }

  @Test
  void seekToEarliestReplaysEverything() throws Exception {
    String topic = topic(1);
    String sub = unique("seek");
    subscribe(sub, topic, "earliest");
    publish(topic, "a", "b", "c");
    assertEquals(List.of("a", "b", "c"), read(sub, 3));
    // A closed stream is noticed at the second heartbeat after the close; until then it would
    // share the replay (a reconnect with Last-Event-ID replaces it at once instead).
    Await.until("the closed stream to be noticed",
        () -> HTTP.request("GET",
            url + "/v1/subscriptions/" + sub).json().get("consumers").asInt() == 0);
    var seek = HTTP.request("POST",
        url + "/v1/subscriptions/" + sub + "/seek", "{\"to\":\"earliest\"}");
    assertEquals(200, seek.status());
    assertTrue(seek.json().get("cursor").asText().endsWith(":0"), seek.json().toString());
    String afterA;
    try (SseConsumer sse = TestNode.sse(url, sub, null)) {
      List<SseEvent> replay = sse.messages(3, TestNode.AWAIT);
      assertEquals(List.of("a", "b", "c"),
          replay.stream().map(e -> e.json().get("id").asText()).toList());
      afterA = replay.get(0).id();
    }
    Await.until("the closed stream to be noticed",
        () -> HTTP.request("GET",
            url + "/v1/subscriptions/" + sub).json().get("consumers").asInt() == 0);
    var toEvent = HTTP.request("POST", url + "/v1/subscriptions/" + sub + "/seek",
        "{\"to\":{\"cursor\":\"" + afterA + "\"}}");
    assertEquals(200, toEvent.status(), "an SSE event id is a cursor");
    assertEquals(List.of("b", "c"), read(sub, 2));
    var bad = HTTP.request("POST",
        url + "/v1/subscriptions/" + sub + "/seek", "{\"to\":{\"cursor\":\"1.2\"}}");
    assertEquals(400, bad.status(), "a cursor of another shape is refused");
  }

  @Test
  void topicsAreListedInPagesThatTogetherHoldEachOnce() {
    java.util.Set<String> mine = new java.util.HashSet<>();
    for (int i = 0; i < 5; i++) {
      mine.add(topic(1));
    }
    java.util.Map<String, Integer> seen = new java.util.HashMap<>();
    String token = null;
    int pages = 0;
    do {
      JsonNode page = HTTP.request("GET", url + "/v1/topics?limit=2"
          + (token == null ? "" : "&pageToken=" + token)).json();
      assertTrue(page.get("topics").size() <= 2, "a page holds at most its limit");
      for (JsonNode t : page.get("topics")) {
        seen.merge(t.get("name").asText(), 1, Integer::sum);
      }
      token = page.hasNonNull("nextPageToken") ? page.get("nextPageToken").asText() : null;
      pages++;
    } while (token != null && pages < 100_000);
    for (String t : mine) {
      assertEquals(1, seen.getOrDefault(t, 0), () -> t + " is listed exactly once");
    }
    assertEquals(400, HTTP.request("GET", url + "/v1/topics?pageToken=zz-zz").status());
  }

  @Test
  void deletingATopicDeletesItsSubscriptions() {
    String topic = topic(2);
    String sub = unique("gone");
    subscribe(sub, topic, "latest");
    boolean found = false;
    String token = null;
    int pages = 0;
    do {
      JsonNode page = HTTP.request("GET", url + "/v1/subscriptions?limit=200"
          + (token == null ? "" : "&pageToken=" + token)).json();
      for (JsonNode s : page.get("subscriptions")) {
        found |= s.get("name").asText().equals(sub);
      }
      assertTrue(page.get("subscriptions").size() <= 200, "a page holds at most its limit");
      token = page.hasNonNull("nextPageToken") ? page.get("nextPageToken").asText() : null;
      pages++;
    } while (!found && token != null && pages < 1000);
    assertTrue(found, "a new subscription is listed");
    assertEquals(400, HTTP.request("GET", url + "/v1/subscriptions?limit=0").status());
    assertEquals(400, HTTP.request("GET", url + "/v1/subscriptions?pageToken=zz-zz").status());
    assertEquals(200, HTTP.request("GET", url + "/v1/topics/" + topic).status());
    assertEquals(204, HTTP.request("DELETE", url + "/v1/topics/" + topic, null).status());
    assertEquals(404, HTTP.request("GET", url + "/v1/topics/" + topic).status());
    assertEquals(404, HTTP.request("GET", url + "/v1/subscriptions/" + sub).status());
    for (JsonNode s : HTTP.request("GET", url + "/v1/subscriptions").json().get("subscriptions")) {
      assertFalse(s.get("name").asText().equals(sub), "a deleted subscription is not listed");
    }
    assertEquals(404, HTTP.request("DELETE", url + "/v1/topics/" + topic, null).status());
    assertEquals(201, HTTP.request("PUT",
        url + "/v1/topics/" + topic, "{\"partitions\":2}").status(),
        "the name can be used again");
  }
}
