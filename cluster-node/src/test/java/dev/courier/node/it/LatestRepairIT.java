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
 * A partition that died after writing its log rows but before recording their keys' latest
 * offsets: the producer's retry is a duplicate, and latest still finds the stored message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LatestRepairIT {

  @Test
  void keysOfRowsWrittenWithoutTheirLatestRecordAreFoundAfterARetry() throws Exception {
    RealCassandra.ensure();
    String name = "latest-repair-" + UUID.randomUUID().toString().substring(0, 8);
    TopicInfo topic;
    try (CqlSession session = RealCassandra.newSession()) {
      topic = new TopicStore(session, "courier")
          .create(name, new TopicSettings(1, TopicSettings.DEFAULT_RETENTION,
              TopicSettings.DEFAULT_DEDUP_WINDOW))
          .toCompletableFuture().get(30, TimeUnit.SECONDS).topic();
      TopicLogStore log = new TopicLogStore(session, "courier", 256 * 1024);
      log.registerBucket(topic.topicId(), 0, 0).toCompletableFuture().get(30, TimeUnit.SECONDS);
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      // The log rows only: the crash came before the rest of the commit.
      log.append(topic.topicId(), 0, topic.settings().retention(), List.of(
              new LogEntry(new StoredMessage("c-0", "acct", 0, 0, now, Map.of(), "0"), true),
              new LogEntry(new StoredMessage("c-1", "acct", 0, 1, now, Map.of(), "1"), true)))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    try (TestNode node = TestNode.start()) {
      String latest = node.url() + "/v1/topics/" + name + "/latest?key=acct";
      var retry = Http.post(node.url() + "/v1/topics/" + name + "/messages",
          "{\"id\":\"c-1\",\"key\":\"acct\",\"data\":1}");
      assertEquals(200, retry.status());
      assertTrue(retry.body().get("results").get(0).get("duplicate").asBoolean());
      var found = Http.get(latest);
      assertEquals(200, found.status(), () -> String.valueOf(found.body()));
      assertEquals("c-1", found.body().get("id").asText());
      assertEquals(1, found.body().get("offset").asLong());
    }
  }
}
