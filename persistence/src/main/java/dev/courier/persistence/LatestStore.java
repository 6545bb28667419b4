package dev.courier.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The newest offset per key of each topic partition, so "the latest message with key K" is two
 * point reads instead of a scan of the log.
 *
 * <p>Each row's write timestamp is the message's offset: Cassandra keeps the cell with the highest
 * timestamp, so a write that arrives late (a retried or slower batch) never replaces a newer
 * offset, and rows are never deleted (a re-created topic has a new topic id).
 */
public final class LatestStore implements LatestReader {
  /** Keys per {@code IN} query of {@link #newest}. */
  private static final int KEYS_PER_QUERY = 100;

  private final CqlSession session;
  private final int maxBatchBytes;
  private final PreparedStatement upsert;
  private final PreparedStatement select;
  private final PreparedStatement selectMany;

  public LatestStore(CqlSession session, String keyspace, int maxBatchBytes) {
    this.session = session;
    this.maxBatchBytes = maxBatchBytes;
    String table = keyspace + ".latest_by_key";
    this.upsert =
        session.prepare(
            "INSERT INTO "
                + table
                + " (topic_id, partition, key, offset) VALUES (?, ?, ?, ?)"
                + " USING TTL ? AND TIMESTAMP ?");
    this.select =
        session.prepare(
            "SELECT offset FROM " + table + " WHERE topic_id = ? AND partition = ? AND key = ?");
    this.selectMany =
        session.prepare(
            "SELECT key, offset FROM " + table
                + " WHERE topic_id = ? AND partition = ? AND key IN ?");
  }

  @Override
  public CompletionStage<Map<String, Long>> newest(
      UUID topicId, int partition, Collection<String> keys) {
    List<String> all = new ArrayList<>(new LinkedHashSet<>(keys));
    if (all.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    List<CompletableFuture<AsyncResultSet>> queries = new ArrayList<>();
    for (int i = 0; i < all.size(); i += KEYS_PER_QUERY) {
      List<String> chunk = all.subList(i, Math.min(all.size(), i + KEYS_PER_QUERY));
      queries.add(
          session.executeAsync(
                  selectMany.bind(topicId, partition, List.copyOf(chunk)).setPageSize(KEYS_PER_QUERY))
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(queries.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              Map<String, Long> out = new HashMap<>();
              for (CompletableFuture<AsyncResultSet> q : queries) {
                for (Row row : q.join().currentPage()) {
                  out.put(row.getString(0), row.getLong(1));
                }
              }
              return out;
            });
  }

  /**
   * Records these messages (of one partition, each the newest of its key in the caller's commit)
   * as their keys' latest, expiring with the topic's retention: unlogged single-partition batches
   * of at most {@code maxBatchBytes}, all sent at once.
   */
  public CompletionStage<Void> record(
      UUID topicId, int partition, Duration retention, List<StoredMessage> newest) {
    if (newest.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    Instant now = Instant.now();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    BatchStatementBuilder batch = null;
    int batchBytes = 0;
    for (StoredMessage m : newest) {
      int weight = 48 + m.key().length();
      if (batch != null && batchBytes + weight > maxBatchBytes) {
        writes.add(session.executeAsync(batch.build()).toCompletableFuture());
        batch = null;
      }
      if (batch == null) {
        batch = BatchStatement.builder(BatchType.UNLOGGED).setIdempotence(true);
        batchBytes = 0;
      }
      batch.addStatement(
          upsert
              .boundStatementBuilder()
              .setUuid(0, topicId)
              .setInt(1, partition)
              .setString(2, m.key())
              .setLong(3, m.offset())
              .setInt(4, TopicLogStore.ttlSeconds(retention, m.publishTime(), now))
              .setLong(5, writeTimestamp(m.offset()))
              .build());
      batchBytes += weight;
    }
    writes.add(session.executeAsync(batch.build()).toCompletableFuture());
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
  }

  /** The offset of the newest message with this key in the partition, if one is retained. */
  public CompletionStage<Optional<Long>> find(UUID topicId, int partition, String key) {
    return session
        .executeAsync(select.bind(topicId, partition, key))
        .thenApply(rs -> Optional.ofNullable(rs.one()).map(LatestStore::offsetOf));
  }

  /** Offsets only grow within a partition, so they order its writes exactly. */
  static long writeTimestamp(long offset) {
    return offset;
  }

  private static Long offsetOf(Row row) {
    return row.getLong(0);
  }
}
