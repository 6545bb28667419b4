package dev.courier.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
      var r = Http.post(url + "/v1/topics/" + topic + "/messages",
          "{\"id\":\"" + id + "\",\"data\":\"" + id + "\"}");
      assertEquals(200, r.status());
    }
  }

  private static List<String> read(String sub, int count) throws Exception {
    List<String> ids = new ArrayList<>();
    try (SseClient sse = SseClient.open(url + "/v1/subscriptions/" + sub + "/events", null)) {
      for (SseClient.Event e : sse.next(count)) {
        ids.add(e.data().get("id").asText());
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
    assertEquals(201, Http.put(url + "/v1/topics/" + topic,
        "{\"partitions\":" + partitions + "}").status());
    return topic;
  }

  private static void subscribe(String sub, String topic, String startAt) {
    var r = Http.put(url + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"" + startAt + "\"}");
    assertEquals(201, r.status(), () -> String.valueOf(r.body()));
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
        () -> Http.get(url + "/v1/subscriptions/" + sub).body().get("consumers").asInt() == 0);
    var seek = Http.post(url + "/v1/subscriptions/" + sub + "/seek", "{\"to\":\"earliest\"}");
    assertEquals(200, seek.status());
    assertTrue(seek.body().get("cursor").asText().endsWith(":0"), seek.body().toString());
    String afterA;
    try (SseClient sse = SseClient.open(url + "/v1/subscriptions/" + sub + "/events", null)) {
      List<SseClient.Event> replay = sse.next(3);
      assertEquals(List.of("a", "b", "c"),
          replay.stream().map(e -> e.data().get("id").asText()).toList());
      afterA = replay.get(0).id();
    }
    Await.until("the closed stream to be noticed",
        () -> Http.get(url + "/v1/subscriptions/" + sub).body().get("consumers").asInt() == 0);
    var toEvent = Http.post(url + "/v1/subscriptions/" + sub + "/seek",
        "{\"to\":{\"cursor\":\"" + afterA + "\"}}");
    assertEquals(200, toEvent.status(), "an SSE event id is a cursor");
    assertEquals(List.of("b", "c"), read(sub, 2));
    var bad = Http.post(url + "/v1/subscriptions/" + sub + "/seek", "{\"to\":{\"cursor\":\"1.2\"}}");
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
      JsonNode page = Http.get(url + "/v1/topics?limit=2"
          + (token == null ? "" : "&pageToken=" + token)).body();
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
    assertEquals(400, Http.get(url + "/v1/topics?pageToken=zz-zz").status());
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
      JsonNode page = Http.get(url + "/v1/subscriptions?limit=200"
          + (token == null ? "" : "&pageToken=" + token)).body();
      for (JsonNode s : page.get("subscriptions")) {
        found |= s.get("name").asText().equals(sub);
      }
      assertTrue(page.get("subscriptions").size() <= 200, "a page holds at most its limit");
      token = page.hasNonNull("nextPageToken") ? page.get("nextPageToken").asText() : null;
      pages++;
    } while (!found && token != null && pages < 1000);
    assertTrue(found, "a new subscription is listed");
    assertEquals(400, Http.get(url + "/v1/subscriptions?limit=0").status());
    assertEquals(400, Http.get(url + "/v1/subscriptions?pageToken=zz-zz").status());
    assertEquals(200, Http.get(url + "/v1/topics/" + topic).status());
    assertEquals(204, Http.send("DELETE", url + "/v1/topics/" + topic, null).status());
    assertEquals(404, Http.get(url + "/v1/topics/" + topic).status());
    assertEquals(404, Http.get(url + "/v1/subscriptions/" + sub).status());
    for (JsonNode s : Http.get(url + "/v1/subscriptions").body().get("subscriptions")) {
      assertFalse(s.get("name").asText().equals(sub), "a deleted subscription is not listed");
    }
    assertEquals(404, Http.send("DELETE", url + "/v1/topics/" + topic, null).status());
    assertEquals(201, Http.put(url + "/v1/topics/" + topic, "{\"partitions\":2}").status(),
        "the name can be used again");
  }
}
