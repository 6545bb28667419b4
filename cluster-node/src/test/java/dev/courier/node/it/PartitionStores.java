package dev.courier.node.it;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.courier.node.NodeConfig;
import dev.courier.node.topic.TopicPartitionSettings;
import dev.courier.persistence.CourierSchema;
import dev.courier.persistence.DedupStore;
import dev.courier.persistence.LatestStore;
import dev.courier.persistence.TopicLogStore;
import dev.courier.persistence.TopicStore;
import dev.courier.persistence.cassandra.RealCassandra;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicSettings;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What a topic partition entity runs on, on the real Cassandra, for tests that start partition
 * entities themselves: a session on the schema, the log, dedup and latest stores, and the
 * partition settings of the node's configuration with {@code overrides}.
 */
final class PartitionStores implements AutoCloseable {
  final CqlSession session;
  final TopicLogStore log;
  final DedupStore dedup;
  final LatestStore latest;
  final TopicPartitionSettings settings;

  private PartitionStores(String overrides) {
    var config = NodeConfig.load(com.typesafe.config.ConfigFactory.parseString(
        overrides + "\ncourier.cassandra.embedded.mode = off"));
    session = RealCassandra.newSession();
    for (String cql : CourierSchema.fromConfig(config).statements()) {
      session.execute(SimpleStatement.newInstance(cql).setTimeout(Duration.ofSeconds(60)));
    }
    log = new TopicLogStore(session, "courier", 256 * 1024, 64L << 20);
    dedup = new DedupStore(session, "courier");
    latest = new LatestStore(session, "courier", 256 * 1024);
    settings = TopicPartitionSettings.fromConfig(config);
  }

  static PartitionStores open(String overrides) {
    return new PartitionStores(overrides);
  }

  /** A new topic of one partition, named {@code prefix} and a random suffix. */
  TopicInfo newTopic(String prefix) throws Exception {
    return new TopicStore(session, "courier")
        .create(prefix + UUID.randomUUID().toString().substring(0, 8),
            new TopicSettings(1, TopicSettings.DEFAULT_RETENTION,
                TopicSettings.DEFAULT_DEDUP_WINDOW))
        .toCompletableFuture().get(30, TimeUnit.SECONDS).topic();
  }

  @Override
  public void close() {
    session.close();
  }
}
