package dev.courier.node.it;

import static dev.courier.node.it.SlowConsumerIT.publish;
import static dev.courier.node.it.SlowConsumerIT.seq;
import static dev.courier.node.it.SlowConsumerIT.subscribe;
import static dev.courier.node.it.SlowConsumerIT.topic;
import static dev.courier.node.it.SlowConsumerIT.unique;
import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.FrameSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A keyed snapshot whose node stops halfway through it goes on exactly on the next node. */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KeyedSnapshotRestartIT {

  @Test
  void aSnapshotGoesOnAfterANodeRestartWithoutRepeatingWhatWasAcked() throws Exception {
    String topic = unique("snaprestart");
    String sub = unique("snaprestart-sub");
    int keys = 2000;
    Set<Integer> acked = new HashSet<>();
    try (TestNode node = TestNode.start()) {
      String url = node.url();
      topic(url, topic, 3);
      String[] names = KeyedSnapshotIT.keys(keys);
      for (int from = 0; from < 2 * keys; from += 1000) {
        // Version 1 of every key is seq 0..1999; version 2, the newest, is seq 2000..3999.
        publish(url, topic, from, 1000, names);
      }
      subscribe(url, sub,
          "{\"topic\":\"" + topic + "\",\"startAt\":\"snapshot\",\"maxInFlight\":100}");
      try (FrameSocket ws = HTTP.frames(url + "/v1/subscriptions/" + sub + "/ws")) {
        // Ack in batches of 100 as messages come; 700 acked, then the node goes.
        List<String> ids = new ArrayList<>();
        Set<String> sent = new HashSet<>();
        Set<String> confirmed = new HashSet<>();
        while (acked.size() < 700) {
          JsonNode f = ws.next();
          if (f.get("type").asText().equals("acked")) {
            f.get("ackIds").forEach(id -> confirmed.add(id.asText()));
            continue;
          }
          if (!f.get("type").asText().equals("message")) {
            continue;
          }
          assertTrue(seq(f) >= keys, "only newest versions: " + f);
          ids.add(f.get("ackId").asText());
          acked.add(seq(f));
          if (ids.size() == 100) {
            ws.ack(ids);
            sent.addAll(ids);
            ids = new ArrayList<>();
          }
        }
        // Every ack durable before the node goes.
        while (!confirmed.containsAll(sent)) {
          ws.next("acked").get("ackIds").forEach(id -> confirmed.add(id.asText()));
        }
      }
    }
    try (TestNode node = TestNode.start()) {
      String url = node.url();
      Set<Integer> all = new HashSet<>(acked);
      try (FrameSocket ws = HTTP.frames(url + "/v1/subscriptions/" + sub + "/ws")) {
        while (all.size() < keys) {
          JsonNode m = ws.next("message");
          int seq = seq(m);
          assertTrue(seq >= keys, "only newest versions: " + m);
          assertFalse(acked.contains(seq), "an acked message came again: " + seq);
          all.add(seq);
          ws.ack(List.of(m.get("ackId").asText()));
        }
      }
      assertEquals(keys, all.size());
    }
  }
}
