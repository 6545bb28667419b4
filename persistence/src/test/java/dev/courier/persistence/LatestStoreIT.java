package dev.courier.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.ConfigFactory;
import dev.courier.persistence.cassandra.RealCassandra;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The latest-per-key table on the real Cassandra: newest offset wins, whatever the write order. */
class LatestStoreIT {
  private static final Duration RETENTION = Duration.ofDays(1);
  private static CqlSession session;
  private static LatestStore store;

  @BeforeAll
  static void open() throws Exception {
    session = RealCassandra.newSession();
    var config = ConfigFactory.load();
    for (String cql : CourierSchema.fromConfig(config).statements()) {
      session.execute(SimpleStatement.newInstance(cql).setTimeout(Duration.ofSeconds(60)));
    }
    store = new LatestStore(session, config.getString("courier.cassandra.schema.keyspace"), 4096);
  }

  @AfterAll
  static void close() {
    session.close();
  }

  private static StoredMessage message(String key, long offset) {
    return new StoredMessage("id-" + offset, key, 0, offset, Instant.now(), Map.of(), "1");
  }

  private static void record(UUID topicId, StoredMessage... newest) throws Exception {
    store.record(topicId, 0, RETENTION, List.of(newest)).toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private static Optional<Long> find(UUID topicId, String key) throws Exception {
    return store.find(topicId, 0, key).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aLateWriteOfAnOlderOffsetDoesNotReplaceTheNewest() throws Exception {
    UUID topicId = UUID.randomUUID();
    record(topicId, message("a", 7), message("b", 8));
    record(topicId, message("a", 3), message("b", 12));
    assertEquals(Optional.of(7L), find(topicId, "a"), "offset 3 arrived late and lost");
    assertEquals(Optional.of(12L), find(topicId, "b"), "offset 12 is newer and won");
    assertEquals(Optional.empty(), find(topicId, "c"));
    assertEquals(Optional.empty(), find(UUID.randomUUID(), "a"), "another topic incarnation");
  }

  @Test
  void manyKeysSplitIntoSeveralBatchesAreAllRecorded() throws Exception {
    UUID topicId = UUID.randomUUID();
    StoredMessage[] many = new StoredMessage[300];
    for (int i = 0; i < many.length; i++) {
      many[i] = message("key-" + i, i);
    }
    record(topicId, many);
    assertEquals(Optional.of(0L), find(topicId, "key-0"));
    assertEquals(Optional.of(299L), find(topicId, "key-299"));
  }
}
