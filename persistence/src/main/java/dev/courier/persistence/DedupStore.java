package dev.courier.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.time.Instant;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Remembers producer-chosen message ids per topic for the topic's dedup window (a Cassandra TTL),
 * so a message sent again is recognised on any node, after any restart.
 */
public final class DedupStore {

  /** Where an id was first stored. */
  public record Seen(int partition, long offset, Instant publishTime) {}

  /** Ids per lookup query: one request per this many messages. */
  static final int READ_CHUNK = 100;

  /**
   * Ids per write batch. Each id is its own Cassandra partition, and Cassandra warns (by default)
   * about unlogged batches spanning more than 10 partitions; staying at 10 keeps logs quiet.
   */
  static final int WRITE_CHUNK = 10;

  private final CqlSession session;
  private final PreparedStatement selectMany;
  private final PreparedStatement insert;

  public DedupStore(CqlSession session, String keyspace) {
    this.session = session;
    this.selectMany =
        session.prepare(
            "SELECT id, partition, offset, publish_time FROM "
                + keyspace
                + ".dedup_ids WHERE topic_id = ? AND id IN ?");
    this.insert =
        session.prepare(
            "INSERT INTO "
                + keyspace
                + ".dedup_ids (topic_id, id, partition, offset, publish_time) VALUES (?, ?, ?, ?, ?)"
                + " USING TTL ?");
  }

  /** Looks up many ids at once: one request per {@link #READ_CHUNK} ids, all in parallel. */
  public CompletionStage<Map<String, Seen>> findAll(UUID topicId, Collection<String> ids) {
    if (ids.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    List<String> all = List.copyOf(ids);
    List<CompletableFuture<List<Map.Entry<String, Seen>>>> lookups = new ArrayList<>();
    for (int from = 0; from < all.size(); from += READ_CHUNK) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + READ_CHUNK));
      lookups.add(
          Rows.all(
                  session.executeAsync(selectMany.bind(topicId, chunk)),
                  row ->
                      Map.entry(
                          row.getString("id"),
                          new Seen(
                              row.getInt("partition"),
                              row.getLong("offset"),
                              row.getInstant("publish_time"))))
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              Map<String, Seen> found = new HashMap<>();
              lookups.forEach(f -> f.join().forEach(e -> found.put(e.getKey(), e.getValue())));
              return found;
            });
  }

  /**
   * Records the ids of these messages, each expiring a dedup window after its publish time: one
   * unlogged batch per {@link #WRITE_CHUNK} ids.
   */
  public CompletionStage<Void> remember(
      UUID topicId, List<StoredMessage> messages, Duration window) {
    if (messages.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    Instant now = Instant.now();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (int from = 0; from < messages.size(); from += WRITE_CHUNK) {
      BatchStatementBuilder batch =
          BatchStatement.builder(BatchType.UNLOGGED).setIdempotence(true);
      for (StoredMessage m :
          messages.subList(from, Math.min(messages.size(), from + WRITE_CHUNK))) {
        int ttl = ttlSeconds(window, m.publishTime(), now);
        batch.addStatement(
            insert
                .boundStatementBuilder()
                .setUuid(0, topicId)
                .setString(1, m.id())
                .setInt(2, m.partition())
                .setLong(3, m.offset())
                .setInstant(4, m.publishTime())
                .setInt(5, ttl)
                .build());
      }
      writes.add(session.executeAsync(batch.build()).toCompletableFuture());
    }
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
  }

  static int ttlSeconds(Duration window, Instant publishTime, Instant now) {
    long remaining = window.minus(Duration.between(publishTime, now)).toSeconds();
    return (int) Math.max(1, Math.min(remaining, Integer.MAX_VALUE));
  }
}
