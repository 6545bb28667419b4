package dev.courier.node.it;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Leaves in the real Cassandra what a partition that crashed mid-commit leaves: a one-partition
 * topic whose log segments are written and nothing else (no latest-by-key records).
 */
final class CrashedPartition {
  private CrashedPartition() {}

  /** Creates topic {@code prefix-<random>} with messages {@code ids} at offsets 0.. ; its name. */
  static String withLogRowsOnly(String prefix, String key, String... ids) throws Exception {
    RealCassandra.ensure();
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    try (CqlSession session = RealCassandra.newSession()) {
      TopicInfo topic = new TopicStore(session, "courier")
          .create(name, new TopicSettings(1, TopicSettings.DEFAULT_RETENTION,
              TopicSettings.DEFAULT_DEDUP_WINDOW))
          .toCompletableFuture().get(30, TimeUnit.SECONDS).topic();
      TopicLogStore log = new TopicLogStore(session, "courier", 256 * 1024, 64L << 20);
      TopicLogStore.Writer writer = log.openWriter(topic.topicId(), 0, topic.settings().retention())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      List<LogEntry> rows = new ArrayList<>();
      for (int i = 0; i < ids.length; i++) {
        rows.add(new LogEntry(
            new StoredMessage(ids[i], key, 0, i, now, Map.of(), Integer.toString(i)), true));
      }
      writer.append(topic.settings().retention(), rows)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    return name;
  }
}
