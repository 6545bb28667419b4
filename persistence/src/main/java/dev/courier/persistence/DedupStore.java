package dev.courier.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import dev.courier.persistence.segment.BloomFilter;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The Bloom filters of a partition's older ids: one per chunk of ids (offsets {@code firstOffset}
 * to {@code lastOffset}), each kept for the dedup window after its newest message. With the id
 * hashes stored beside each segment they let a partition's owner hold its whole dedup window in
 * memory and rebuild it at start, reading Cassandra for an id only when a filter says "maybe".
 */
public final class DedupStore {

  /** A stored filter and the offsets and newest publish time of the ids it holds. */
  public record Chunk(
      long firstOffset, long lastOffset, Instant newestPublishTime, int ids, BloomFilter filter) {}

  private final CqlSession session;
  private final PreparedStatement insert;
  private final PreparedStatement selectAll;

  public DedupStore(CqlSession session, String keyspace) {
    this.session = session;
    String table = keyspace + ".dedup_blooms";
    this.insert =
        session.prepare(
            "INSERT INTO "
                + table
                + " (topic_id, partition, first_offset, last_offset, newest_publish_time, ids,"
                + " filter) VALUES (?, ?, ?, ?, ?, ?, ?) USING TTL ?");
    this.selectAll =
        session.prepare(
            "SELECT first_offset, last_offset, newest_publish_time, ids, filter FROM "
                + table
                + " WHERE topic_id = ? AND partition = ?");
  }

  /** Stores a chunk's filter until the dedup window after its newest message has passed. */
  public CompletionStage<Void> save(UUID topicId, int partition, Duration window, Chunk chunk) {
    int ttl = TopicLogStore.ttlSeconds(window, chunk.newestPublishTime(), Instant.now());
    return session
        .executeAsync(
            insert.bind(
                topicId,
                partition,
                chunk.firstOffset(),
                chunk.lastOffset(),
                chunk.newestPublishTime(),
                chunk.ids(),
                ByteBuffer.wrap(chunk.filter().toBytes()),
                ttl))
        .thenApply(rs -> null);
  }

  /** The partition's filters still within their window, in offset order. */
  public CompletionStage<List<Chunk>> load(UUID topicId, int partition) {
    return Rows.all(
        session.executeAsync(selectAll.bind(topicId, partition)),
        row ->
            new Chunk(
                row.getLong("first_offset"),
                row.getLong("last_offset"),
                row.getInstant("newest_publish_time"),
                row.getInt("ids"),
                BloomFilter.fromBytes(row.getByteBuffer("filter"))));
  }
}
