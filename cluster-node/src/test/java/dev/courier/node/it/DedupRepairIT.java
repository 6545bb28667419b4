package dev.courier.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.courier.persistence.LogEntry;
import dev.courier.persistence.TopicLogStore;
import dev.courier.persistence.TopicStore;
import dev.courier.persistence.cassandra.RealCassandra;
import dev.courier.protocol.topic.StoredMessage;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicSettings;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A partition that died after writing its log rows but before recording their ids: its next
 * incarnation re-records them, so a producer's retry is still a duplicate (G2).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DedupRepairIT {

  @Test
  void idsOfRowsWrittenWithoutTheirDedupRecordAreStillDuplicates() throws Exception {
    RealCassandra.ensure();
    String name = "repair-" + UUID.randomUUID().toString().substring(0, 8);
    TopicInfo topic;
    try (CqlSession session = RealCassandra.newSession()) {
      topic = new TopicStore(session, "courier")
          .create(name, new TopicSettings(1, TopicSettings.DEFAULT_RETENTION,
              TopicSettings.DEFAULT_DEDUP_WINDOW))
          .toCompletableFuture().get(30, TimeUnit.SECONDS).topic();
      TopicLogStore log = new TopicLogStore(session, "courier", 256 * 1024);
      log.registerBucket(topic.topicId(), 0, 0).toCompletableFuture().get(30, TimeUnit.SECONDS);
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      List<LogEntry> rows = List.of(
          new LogEntry(new StoredMessage("before-crash-0", null, 0, 0, now, Map.of(), "0"), true),
          new LogEntry(new StoredMessage("before-crash-1", null, 0, 1, now, Map.of(), "1"), true));
      // The log rows only: the crash came before the ids were recorded.
      log.append(topic.topicId(), 0, topic.settings().retention(), rows)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    try (TestNode node = TestNode.start()) {
      var retry = Http.post(node.url() + "/v1/topics/" + name + "/messages",
          "{\"messages\":[{\"id\":\"before-crash-1\",\"data\":1},{\"id\":\"fresh\",\"data\":2}]}");
      assertEquals(200, retry.status());
      var first = retry.body().get("results").get(0);
      assertTrue(first.get("duplicate").asBoolean(), "the retried id is recognised");
      assertEquals(1, first.get("offset").asLong(), "and answered with its original offset");
      var second = retry.body().get("results").get(1);
      assertEquals(2, second.get("offset").asLong(), "new messages continue after the head");
      long stored = Http.get(node.url() + "/v1/topics/" + name).body().get("heads").get(0)
          .get("nextOffset").asLong();
      assertEquals(3, stored);
    }
  }
}
