package dev.courier.node.it;

import static dev.courier.node.it.SlowConsumerIT.publish;
import static dev.courier.node.it.SlowConsumerIT.seq;
import static dev.courier.node.it.SlowConsumerIT.subscribe;
import static dev.courier.node.it.SlowConsumerIT.topic;
import static dev.courier.node.it.SlowConsumerIT.unique;
import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.HttpAnswer;
import dev.courier.client.SseConsumer;
import dev.courier.client.SseEvent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code startAt: "snapshot"} on a real node and Cassandra: each key's newest message, then live
 * messages, with no gap and no repeat at the boundary, over a hundred thousand keys.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KeyedSnapshotIT extends OneNodeIT {

  @Test
  void theSnapshotThenLiveMessagesWithNoGapAndNoRepeatAtTheBoundary() throws Exception {
    String topic = unique("snap");
    String sub = unique("snap-sub");
    topic(url, topic, 2);
    // Keys k0..k19 in three versions each (seq 0..59), then 10 keyless messages (60..69).
    publish(url, topic, 0, 60, keys(20));
    publish(url, topic, 60, 10, (String) null);
    JsonNode created = subscribe(url, sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"snapshot\"}");
    assertEquals("snapshot", created.get("startAt").asText());
    // After the boundary: new versions of k0..k4 (70..74), a keyless one (75), a new key (76).
    publish(url, topic, 70, 5, keys(5));
    publish(url, topic, 75, 1, (String) null);
    publish(url, topic, 76, 1, "fresh");

    Set<Integer> expected = new HashSet<>();
    for (int k = 5; k < 20; k++) {
      expected.add(40 + k); // the newest pre-boundary version of each key not updated since
    }
    for (int s = 70; s <= 76; s++) {
      expected.add(s); // every live message
    }
    try (SseConsumer sse = TestNode.sse(url, sub, null)) {
      Set<Integer> got = new HashSet<>();
      Map<Integer, Long> lastOffset = new HashMap<>();
      for (SseEvent e : sse.messages(expected.size(), TestNode.AWAIT)) {
        int seq = seq(e.json());
        assertTrue(got.add(seq), "repeated " + seq);
        int partition = e.json().get("partition").asInt();
        long offset = e.json().get("offset").asLong();
        assertTrue(lastOffset.getOrDefault(partition, -1L) < offset, "in offset order");
        lastOffset.put(partition, offset);
      }
      assertEquals(expected, got);
      publish(url, topic, 77, 1, "k7");
      assertEquals(77, seq(sse.messages(1, TestNode.AWAIT).get(0).json()),
          "then live messages go on");
    }
    assertEquals(0, SlowConsumerIT.state(url, sub).get("skipped").asInt(),
        "what the snapshot passes over is not counted as skipped");
  }

  @Test
  void aHundredThousandKeys() throws Exception {
    String topic = unique("snap100k");
    String sub = unique("snap100k-sub");
    int keys = 100_000;
    topic(url, topic, 4);
    long start = System.nanoTime();
    for (int from = 0; from < keys; from += 1000) {
      publishKeyed(topic, from, 1000, 0);
    }
    // A second version of every tenth key: its first must not be delivered.
    for (int from = 0; from < keys; from += 10_000) {
      publishKeyed(topic, from, 10_000, keys);
    }
    long published = System.nanoTime();
    subscribe(url, sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"snapshot\"}");
    int[] seen = new int[keys];
    try (SseConsumer sse = TestNode.sse(url, sub, null)) {
      for (int i = 0; i < keys; i++) {
        JsonNode d = sse.messages(1, TestNode.AWAIT).get(0).json();
        int key = Integer.parseInt(d.get("key").asText().substring(1));
        int version = d.get("data").get("v").asInt();
        assertEquals(key % 10 == 0 ? 1 : 0, version, "key " + key + " newest version");
        seen[key]++;
      }
    }
    long read = System.nanoTime();
    for (int k = 0; k < keys; k++) {
      assertEquals(1, seen[k], "key " + k);
    }
    System.out.printf("snapshot of %d keys (%d messages): published in %.1f s, read in %.1f s%n",
        keys, keys + keys / 10, (published - start) / 1e9, (read - published) / 1e9);
  }

  /** Keys n{from}..n{from+count-1}; every tenth of them when {@code seqBase} > 0 (version 1). */
  private static void publishKeyed(String topic, int from, int count, int seqBase) {
    StringBuilder b = new StringBuilder("{\"messages\":[");
    boolean first = true;
    for (int k = from; k < from + count; k++) {
      if (seqBase > 0 && k % 10 != 0) {
        continue;
      }
      b.append(first ? "" : ",").append("{\"key\":\"n").append(k).append("\",\"data\":{\"v\":")
          .append(seqBase > 0 ? 1 : 0).append("}}");
      first = false;
    }
    HttpAnswer r = HTTP.request("POST",
        url + "/v1/topics/" + topic + "/messages", b.append("]}").toString());
    assertEquals(200, r.status(), () -> r.body());
  }

  static String[] keys(int n) {
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      keys[i] = "k" + i;
    }
    return keys;
  }
}
