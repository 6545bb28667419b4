package dev.courier.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The topic log: append-only rows per topic partition, bucketed by offset so no Cassandra partition
 * grows without bound, read back by offset range for catch-up delivery and replay.
 */
public final class TopicLogStore implements TopicLogReader {
  /** Offsets per Cassandra partition. Part of the storage format: never change it. */
  public static final long BUCKET_SIZE = 50_000;

  /** Where a partition's log ends: the next offset, and the time of the last message. */
  public record Head(long nextOffset, Instant lastPublishTime, long highestBucket) {}

  /** Resolved once: the driver resolves a map's generic type on every setMap call. */
  private static final com.datastax.oss.driver.api.core.type.reflect.GenericType<
          java.util.Map<String, String>>
      ATTRIBUTES =
          com.datastax.oss.driver.api.core.type.reflect.GenericType.mapOf(String.class, String.class);

  private static final String COLUMNS = "offset, id, key, publish_time, attributes, data, client_id";

  private final CqlSession session;
  private final int maxBatchBytes;
  private final PreparedStatement insert;
  private final PreparedStatement insertBucket;
  private final PreparedStatement selectBuckets;
  private final PreparedStatement selectLast;
  private final PreparedStatement selectRange;
  private final PreparedStatement selectOne;

  public TopicLogStore(CqlSession session, String keyspace, int maxBatchBytes) {
    this.session = session;
    this.maxBatchBytes = maxBatchBytes;
    String table = keyspace + ".topic_log";
    this.insert =
        session.prepare(
            "INSERT INTO "
                + table
                + " (topic_id, partition, bucket, "
                + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TTL ?");
    this.insertBucket =
        session.prepare(
            "INSERT INTO "
                + keyspace
                + ".topic_log_buckets (topic_id, partition, bucket) VALUES (?, ?, ?)");
    this.selectBuckets =
        session.prepare(
            "SELECT bucket FROM "
                + keyspace
                + ".topic_log_buckets WHERE topic_id = ? AND partition = ? LIMIT 2");
    this.selectLast =
        session.prepare(
            "SELECT offset, publish_time FROM "
                + table
                + " WHERE topic_id = ? AND partition = ? AND bucket = ? ORDER BY offset DESC LIMIT 1");
    this.selectRange =
        session.prepare(
            "SELECT "
                + COLUMNS
                + " FROM "
                + table
                + " WHERE topic_id = ? AND partition = ? AND bucket = ? AND offset >= ? AND offset < ?"
                + " LIMIT ?");
    this.selectOne =
        session.prepare(
            "SELECT "
                + COLUMNS
                + " FROM "
                + table
                + " WHERE topic_id = ? AND partition = ? AND bucket = ? AND offset = ?");
  }

  public static long bucketOf(long offset) {
    return offset / BUCKET_SIZE;
  }

  /**
   * Finds where a partition's log ends. When every row of the newest bucket has expired, offsets
   * continue at the next bucket, so an offset is never handed out twice.
   */
  public CompletionStage<Head> recoverHead(UUID topicId, int partition) {
    return Rows.all(
            session.executeAsync(selectBuckets.bind(topicId, partition)), r -> r.getLong("bucket"))
        .thenCompose(
            buckets -> {
              if (buckets.isEmpty()) {
                return CompletableFuture.completedFuture(new Head(0, Instant.EPOCH, -1));
              }
              long highest = buckets.get(0);
              return lastIn(topicId, partition, highest)
                  .thenCompose(
                      found -> {
                        if (found.isPresent() || buckets.size() < 2) {
                          return CompletableFuture.completedFuture(
                              headFrom(found, highest, highest));
                        }
                        long previous = buckets.get(1);
                        return lastIn(topicId, partition, previous)
                            .thenApply(
                                prev ->
                                    prev.isPresent()
                                        ? headFrom(prev, previous, highest)
                                        : headFrom(Optional.empty(), highest, highest));
                      });
            });
  }

  private static Head headFrom(Optional<Row> last, long bucket, long highestBucket) {
    if (last.isPresent()) {
      return new Head(
          last.get().getLong("offset") + 1, last.get().getInstant("publish_time"), highestBucket);
    }
    // Registered but empty (expired, or never written): start past it.
    return new Head((bucket + 1) * BUCKET_SIZE, Instant.EPOCH, highestBucket);
  }

  private CompletionStage<Optional<Row>> lastIn(UUID topicId, int partition, long bucket) {
    return session
        .executeAsync(selectLast.bind(topicId, partition, bucket))
        .thenApply(rs -> Optional.ofNullable(rs.one()));
  }

  /** Records that the partition now writes to {@code bucket}; must precede the bucket's rows. */
  public CompletionStage<Void> registerBucket(UUID topicId, int partition, long bucket) {
    return session
        .executeAsync(insertBucket.bind(topicId, partition, bucket))
        .thenApply(rs -> null);
  }

  /**
   * Appends entries (consecutive offsets of one partition) as unlogged single-partition batches of
   * at most {@code maxBatchBytes}: one round trip per batch, not per message.
   */
  public CompletionStage<Void> append(
      UUID topicId, int partition, Duration retention, List<LogEntry> entries) {
    Instant now = Instant.now();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    BatchStatementBuilder batch = null;
    long batchBucket = -1;
    int batchBytes = 0;
    for (LogEntry entry : entries) {
      StoredMessage m = entry.message();
      long bucket = bucketOf(m.offset());
      int weight = 64 + m.id().length() + m.data().length();
      if (batch != null && (bucket != batchBucket || batchBytes + weight > maxBatchBytes)) {
        writes.add(session.executeAsync(batch.build()).toCompletableFuture());
        batch = null;
      }
      if (batch == null) {
        batch = BatchStatement.builder(BatchType.UNLOGGED).setIdempotence(true);
        batchBucket = bucket;
        batchBytes = 0;
      }
      // Typed setters: no codec look-up by the values' runtime classes on the hot path.
      batch.addStatement(
          insert
              .boundStatementBuilder()
              .setUuid(0, topicId)
              .setInt(1, partition)
              .setLong(2, bucket)
              .setLong(3, m.offset())
              .setString(4, m.id())
              .setString(5, m.key())
              .setInstant(6, m.publishTime())
              .set(7, m.attributes(), ATTRIBUTES)
              .setString(8, m.data())
              .setBoolean(9, entry.clientId())
              .setInt(10, DedupStore.ttlSeconds(retention, m.publishTime(), now))
              .build());
      batchBytes += weight;
    }
    if (batch != null) {
      writes.add(session.executeAsync(batch.build()).toCompletableFuture());
    }
    return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
  }

  /**
   * Reads up to {@code limit} messages with offsets in [from, until), in offset order. Expired
   * ranges are skipped, so the first message returned may lie past {@code from}.
   */
  @Override
  public CompletionStage<List<LogEntry>> read(
      UUID topicId, int partition, long from, long until, int limit) {
    if (from >= until || limit <= 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    long bucket = bucketOf(from);
    long bucketEnd = Math.min(until, (bucket + 1) * BUCKET_SIZE);
    return Rows.all(
            session.executeAsync(
                selectRange.bind(topicId, partition, bucket, from, bucketEnd, limit)),
            row -> toEntry(row, partition))
        .thenCompose(
            rows -> {
              if (rows.isEmpty() && bucketEnd < until) {
                return read(topicId, partition, bucketEnd, until, limit);
              }
              return CompletableFuture.completedFuture(rows);
            });
  }

  public CompletionStage<Optional<LogEntry>> readOne(UUID topicId, int partition, long offset) {
    return session
        .executeAsync(selectOne.bind(topicId, partition, bucketOf(offset), offset))
        .thenApply(rs -> Optional.ofNullable(rs.one()).map(row -> toEntry(row, partition)));
  }

  /**
   * The first offset in [0, head) whose message was published at or after {@code time}, or
   * {@code head} if none: a binary search over point reads, as publish times never decrease
   * within a partition. Expired offsets count as earlier than any time.
   */
  public CompletionStage<Long> offsetAt(UUID topicId, int partition, Instant time, long head) {
    return search(topicId, partition, time, 0, head);
  }

  private CompletionStage<Long> search(
      UUID topicId, int partition, Instant time, long low, long high) {
    if (low >= high) {
      return CompletableFuture.completedFuture(low);
    }
    long mid = low + (high - low) / 2;
    return readOne(topicId, partition, mid)
        .thenCompose(
            entry -> {
              boolean before =
                  entry.isEmpty() || entry.get().message().publishTime().isBefore(time);
              return before
                  ? search(topicId, partition, time, mid + 1, high)
                  : search(topicId, partition, time, low, mid);
            });
  }

  private static LogEntry toEntry(Row row, int partition) {
    return new LogEntry(
        new StoredMessage(
            row.getString("id"),
            row.getString("key"),
            partition,
            row.getLong("offset"),
            row.getInstant("publish_time"),
            row.getMap("attributes", String.class, String.class),
            row.getString("data")),
        row.getBoolean("client_id"));
  }
}
