package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.FrameSocket;
import dev.courier.persistence.cassandra.RealCassandra;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A subscription's journal stays bounded: events older than its snapshots are deleted from
 * Cassandra, and the subscription still resumes exactly from its snapshot after a restart.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class JournalRetentionIT {
  private static final String SMALL_SNAPSHOTS = "courier.subscription.snapshot-every = 10";

  @Test
  void eventsOlderThanTheSnapshotsAreDeletedAndTheStateSurvivesARestart() throws Exception {
    String topic = "retain-" + UUID.randomUUID().toString().substring(0, 8);
    String sub = topic + "-sub";
    String persistenceId = "Subscription|" + sub;
    int messages = 200;
    try (TestNode node = TestNode.start(SMALL_SNAPSHOTS);
        CqlSession cql = RealCassandra.newSession()) {
      String url = node.url();
      assertEquals(201, HTTP.request("PUT",
          url + "/v1/topics/" + topic, "{\"partitions\":2}").status());
      assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
          "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}").status());
      publish(url, topic, 0, messages);
      try (FrameSocket client = HTTP.frames(url + "/v1/subscriptions/" + sub + "/ws")) {
        List<JsonNode> got = client.next("message", messages);
        // Two messages per ack, each awaited: every ack batch is its own journal event, 100 in
        // all, so snapshots are taken at 10, 20, ... 100 and events up to 80 are deleted.
        for (int i = 0; i < messages; i += 2) {
          client.ack(got.subList(i, i + 2).stream().map(m -> m.get("ackId").asText()).toList());
          Set<String> confirmed = new HashSet<>();
          while (confirmed.size() < 2) {
            client.next("acked").get("ackIds").forEach(id -> confirmed.add(id.asText()));
          }
        }
      }
      long written = highestSequenceNr(cql, persistenceId);
      assertTrue(written >= messages / 2, "each ack batch was journalled: " + written);
      Await.until("events older than the snapshots deleted", () -> {
        long kept = eventsKept(cql, persistenceId);
        return kept <= 3 * 10 && kept < written;
      });
    }
    try (TestNode node = TestNode.start(SMALL_SNAPSHOTS)) {
      String url = node.url();
      publish(url, topic, messages, 5);
      try (FrameSocket client = HTTP.frames(url + "/v1/subscriptions/" + sub + "/ws")) {
        // Offsets the last incarnation had reserved may come flagged as possible repeats
        // (deliveryAttempt 2); what must hold is that no acknowledged message comes at all.
        Set<String> after = new HashSet<>();
        for (JsonNode m : client.next("message", 5)) {
          after.add(m.get("id").asText());
        }
        assertEquals(Set.of("r-200", "r-201", "r-202", "r-203", "r-204"), after,
            "only the messages published since");
        assertNull(client.poll(Duration.ofMillis(700)), "and nothing else");
      }
    }
  }

  private static long highestSequenceNr(CqlSession cql, String persistenceId) {
    long highest = 0;
    for (var row : cql.execute("SELECT sequence_nr FROM courier_journal.messages"
        + " WHERE persistence_id = ? AND partition_nr IN (0, 1)", persistenceId)) {
      highest = Math.max(highest, row.getLong(0));
    }
    return highest;
  }

  private static long eventsKept(CqlSession cql, String persistenceId) {
    return cql.execute("SELECT count(*) FROM courier_journal.messages"
        + " WHERE persistence_id = ? AND partition_nr IN (0, 1)", persistenceId).one().getLong(0);
  }

  private static void publish(String url, String topic, int from, int count) {
    StringBuilder batch = new StringBuilder("{\"messages\":[");
    for (int i = from; i < from + count; i++) {
      batch.append(i > from ? "," : "").append("{\"id\":\"r-").append(i)
          .append("\",\"data\":").append(i).append('}');
    }
    assertEquals(200, HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
        batch.append("]}").toString()).status());
  }
}
