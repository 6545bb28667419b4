package dev.courier.persistence;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.courier.persistence.segment.SegmentCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The topic log as segments: each group commit of a partition is one row (or a few, split at
 * {@code segmentBytes}) holding many records in {@link SegmentCodec}'s binary form. Rows live in
 * buckets (Cassandra partitions) of at most {@code bucketBytes} or {@link #BUCKET_MAX_OFFSETS}
 * offsets, each named by its first offset and listed in {@code topic_buckets}.
 *
 * <p>Writes are fenced. A partition's owner {@link #openWriter opens} a {@link Writer}: it raises
 * the epoch (a static column) of the newest bucket with a lightweight transaction, walking the
 * buckets' {@code next_bucket} links to the real end. The head (a static column) moves only by a
 * lightweight transaction {@code IF epoch = mine}, so once a newer owner has raised the epoch, an
 * older owner (paused by GC, or on the losing side of a split brain) can no longer extend the log,
 * and an advance of its that was still in flight is either applied before the new owner reads the
 * head (Paxos finishes it) or never.
 *
 * <p>A commit of up to {@code inlineBytes} is one conditional batch: its segment rows and the
 * advance together. A larger one stores its rows first, unconditionally and keyed by the writer's
 * epoch, then advances the head with a lightweight transaction that carries a few bytes: Paxos then
 * does not carry (and Cassandra does not write again) the segments' bytes. Rows a superseded owner
 * stored late are never read: {@link LiveRows} keeps only rows below the head whose epoch the
 * bucket's {@code writers} map names for their offsets.
 */
public final class TopicLogStore implements TopicLogReader {
  /** Offsets per bucket at most, whatever their size: bounds a bucket whose head was lost. */
  public static final long BUCKET_MAX_OFFSETS = 1L << 20;

  /** How much longer than the retention the static columns live (each write refreshes them). */
  static final Duration STATICS_MARGIN = Duration.ofDays(1);

  /** Rows a catch-up read fetches per page: segments hold up to {@code segmentBytes} each. */
  private static final int SEGMENT_PAGE = 8;

  /** The most bytes of segments one write (a batch of rows) carries. */
  private static final int MAX_WRITE_BYTES = 4 << 20;

  /** Commits up to this size are written as one conditional batch, rows and advance together. */
  public static final int DEFAULT_INLINE_BYTES = 16 * 1024;

  /**
   * Owners that may write into one bucket before the next owner starts a new one: bounds the
   * {@code writers} map that every read of the bucket carries.
   */
  static final int MAX_WRITERS_PER_BUCKET = 64;

  /** Where a partition's log ends: the next offset, and the time of the last message. */
  public record Head(long nextOffset, Instant lastPublishTime) {}

  /** A write refused because a newer owner took the partition's epoch. */
  public static final class FencedException extends RuntimeException {
    public FencedException(String message) {
      super(message);
    }
  }

  private final CqlSession session;
  private final int segmentBytes;
  private final long bucketBytes;
  private final int inlineBytes;
  private final PreparedStatement latestBucket;
  private final PreparedStatement bucketFloor;
  private final PreparedStatement bucketAfter;
  private final PreparedStatement insertBucket;
  private final PreparedStatement selectStatics;
  private final PreparedStatement fence;
  private final PreparedStatement link;
  private final PreparedStatement advance;
  private final PreparedStatement writeSegment;
  private final PreparedStatement floorSegment;
  private final PreparedStatement floorMeta;
  private final PreparedStatement rangeSegments;
  private final PreparedStatement rangeIdHashes;

  public TopicLogStore(CqlSession session, String keyspace, int segmentBytes, long bucketBytes) {
    this(session, keyspace, segmentBytes, bucketBytes, DEFAULT_INLINE_BYTES);
  }

  public TopicLogStore(
      CqlSession session, String keyspace, int segmentBytes, long bucketBytes, int inlineBytes) {
    this.session = session;
    this.segmentBytes = segmentBytes;
    this.bucketBytes = bucketBytes;
    this.inlineBytes = inlineBytes;
    String segments = keyspace + ".topic_segments";
    String buckets = keyspace + ".topic_buckets";
    String live = ", written_by, head, writers FROM ";
    String pk = " WHERE topic_id = ? AND partition = ? AND bucket = ?";
    this.latestBucket =
        session.prepare(
            "SELECT first_offset FROM " + buckets + " WHERE topic_id = ? AND partition = ? LIMIT 1");
    this.bucketFloor =
        session.prepare(
            "SELECT first_offset FROM "
                + buckets
                + " WHERE topic_id = ? AND partition = ? AND first_offset <= ? LIMIT 1");
    this.bucketAfter =
        session.prepare(
            "SELECT first_offset FROM "
                + buckets
                + " WHERE topic_id = ? AND partition = ? AND first_offset > ?"
                + " ORDER BY first_offset ASC LIMIT 1");
    this.insertBucket =
        session.prepare(
            "INSERT INTO " + buckets + " (topic_id, partition, first_offset) VALUES (?, ?, ?)");
    this.selectStatics =
        session.prepare(
            "SELECT epoch, next_bucket, head, head_time, writers FROM " + segments + pk + " LIMIT 1");
    this.fence =
        session.prepare(
            "UPDATE " + segments + " USING TTL ? SET epoch = ?" + pk + " IF epoch = ?");
    this.link =
        session.prepare(
            "UPDATE "
                + segments
                + " USING TTL ? SET next_bucket = ?, epoch = ?"
                + pk
                + " IF epoch = ?");
    this.advance =
        session.prepare(
            "UPDATE "
                + segments
                + " USING TTL ? SET epoch = ?, head = ?, head_time = ?, writers[?] = ?"
                + pk
                + " IF epoch = ?");
    this.writeSegment =
        session.prepare(
            "UPDATE "
                + segments
                + " USING TTL ? SET last_offset = ?, publish_time = ?, records = ?, id_hashes = ?"
                + pk
                + " AND first_offset = ? AND written_by = ?");
    String descending = " ORDER BY first_offset DESC, written_by DESC";
    this.floorSegment =
        session.prepare(
            "SELECT first_offset, last_offset, records"
                + live
                + segments
                + pk
                + " AND first_offset <= ?"
                + descending);
    this.floorMeta =
        session.prepare(
            "SELECT first_offset, last_offset, publish_time"
                + live
                + segments
                + pk
                + " AND first_offset <= ?"
                + descending);
    this.rangeSegments =
        session.prepare(
            "SELECT first_offset, last_offset, records"
                + live
                + segments
                + pk
                + " AND first_offset > ? AND first_offset < ?");
    this.rangeIdHashes =
        session.prepare(
            "SELECT first_offset, last_offset, id_hashes"
                + live
                + segments
                + pk
                + " AND first_offset >= ? AND first_offset < ?");
  }

  static int ttlSeconds(Duration ttl, Instant from, Instant now) {
    long remaining = ttl.minus(Duration.between(from, now)).toSeconds();
    return (int) Math.max(1, Math.min(remaining, Integer.MAX_VALUE));
  }

  // ---- writing ----

  /**
   * Takes the partition for a new owner: raises the epoch of its newest bucket (and of any bucket
   * linked after it) above every earlier owner's, then reads where the log ends. From here on the
   * earlier owners' writes are refused.
   */
  public CompletionStage<Writer> openWriter(UUID topicId, int partition, Duration retention) {
    int staticsTtl = staticsTtl(retention);
    return session
        .executeAsync(latestBucket.bind(topicId, partition))
        .thenCompose(
            rs -> {
              Row row = rs.one();
              if (row == null) {
                return session
                    .executeAsync(insertBucket.bind(topicId, partition, 0L))
                    .thenCompose(done -> fenceFrom(topicId, partition, 0L, 0L, staticsTtl, 0));
              }
              return fenceFrom(topicId, partition, row.getLong(0), -1L, staticsTtl, 0);
            })
        .thenCompose(writer -> writer.rollIfNeeded(retention).thenApply(done -> writer));
  }

  private static int staticsTtl(Duration retention) {
    return (int) Math.min(Integer.MAX_VALUE, retention.plus(STATICS_MARGIN).toSeconds());
  }

  private CompletionStage<Writer> fenceFrom(
      UUID topicId, int partition, long bucket, long headIfUnknown, int staticsTtl, int attempt) {
    if (attempt > 20) {
      return CompletableFuture.failedFuture(
          new FencedException("could not take partition " + partition + ": contended"));
    }
    return session
        .executeAsync(
            selectStatics
                .bind(topicId, partition, bucket)
                .setConsistencyLevel(ConsistencyLevel.LOCAL_SERIAL))
        .thenCompose(
            rs -> {
              Row statics = rs.one();
              Long current = statics == null || statics.isNull("epoch") ? null : statics.getLong("epoch");
              // Epochs start from the clock, so they keep rising even if a bucket's statics expired.
              long mine = Math.max(current == null ? 0 : current + 1, System.currentTimeMillis());
              return session
                  .executeAsync(fence.bind(staticsTtl, mine, topicId, partition, bucket, current))
                  .thenCompose(
                      applied -> {
                        if (!applied.wasApplied()) {
                          return fenceFrom(
                              topicId, partition, bucket, headIfUnknown, staticsTtl, attempt + 1);
                        }
                        return session
                            .executeAsync(selectStatics.bind(topicId, partition, bucket))
                            .thenCompose(
                                after -> {
                                  Row s = after.one();
                                  if (s != null && !s.isNull("next_bucket")) {
                                    long next = s.getLong("next_bucket");
                                    // Linked but perhaps not yet listed: list it, then go on there.
                                    return session
                                        .executeAsync(insertBucket.bind(topicId, partition, next))
                                        .thenCompose(
                                            done ->
                                                fenceFrom(
                                                    topicId, partition, next, next, staticsTtl,
                                                    attempt + 1));
                                  }
                                  int writers =
                                      s == null ? 0 : s.getMap("writers", Long.class, Long.class).size();
                                  return headOf(topicId, partition, s, bucket, headIfUnknown)
                                      .thenApply(
                                          head ->
                                              new Writer(
                                                  topicId, partition, mine, bucket, head, writers));
                                });
                      });
            });
  }

  /**
   * The head from a bucket's statics; if they hold none, {@code headIfUnknown} when known (a new
   * partition, a bucket reached by its link), else the bucket's start if the previous bucket links
   * to it (its writer stopped between linking and its first write), else past the bucket's cap
   * (its statics expired with its rows: no offset of it reaches that far).
   */
  private CompletionStage<Head> headOf(
      UUID topicId, int partition, Row statics, long bucket, long headIfUnknown) {
    if (statics != null && !statics.isNull("head")) {
      Instant time = statics.isNull("head_time") ? Instant.EPOCH : statics.getInstant("head_time");
      return CompletableFuture.completedFuture(new Head(statics.getLong("head"), time));
    }
    if (headIfUnknown >= 0) {
      return CompletableFuture.completedFuture(new Head(headIfUnknown, Instant.EPOCH));
    }
    Head pastCap = new Head(bucket + BUCKET_MAX_OFFSETS, Instant.EPOCH);
    if (bucket == 0) {
      return CompletableFuture.completedFuture(new Head(0, Instant.EPOCH));
    }
    return bucketOf(topicId, partition, bucket - 1)
        .thenCompose(
            previous ->
                previous.isEmpty()
                    ? CompletableFuture.completedFuture(pastCap)
                    : session
                        .executeAsync(selectStatics.bind(topicId, partition, previous.get()))
                        .thenApply(
                            rs -> {
                              Row p = rs.one();
                              boolean linked =
                                  p != null
                                      && !p.isNull("next_bucket")
                                      && p.getLong("next_bucket") == bucket;
                              return linked ? new Head(bucket, Instant.EPOCH) : pastCap;
                            }));
  }

  /**
   * A partition owner's handle on its log, valid while its epoch is the newest. Appends are
   * sequential: the caller waits for one before the next. Not thread-safe.
   */
  public final class Writer {
    private final UUID topicId;
    private final int partition;
    private final long epoch;
    private long bucket;
    private long bucketUsed;
    private Head head;
    /** Where this owner's rows in the current bucket start: its key in the bucket's writers. */
    private long rangeStart;
    /** Whether the bucket's writers map has no room for this owner (it then starts a bucket). */
    private boolean bucketCrowded;

    private Writer(
        UUID topicId, int partition, long epoch, long bucket, Head head, int writersInBucket) {
      this.topicId = topicId;
      this.partition = partition;
      this.epoch = epoch;
      this.bucket = bucket;
      this.head = head;
      this.rangeStart = head.nextOffset();
      this.bucketCrowded = writersInBucket >= MAX_WRITERS_PER_BUCKET;
      // What the bucket already holds is unknown: count it as full, so the first write rolls.
      this.bucketUsed = head.nextOffset() > bucket ? bucketBytes : 0;
    }

    public long epoch() {
      return epoch;
    }

    public Head head() {
      return head;
    }

    /** The bucket segments go to now (its first offset). */
    public long bucket() {
      return bucket;
    }

    /** Starts a fresh bucket at the head if the current one is full (or its head was lost). */
    CompletionStage<Void> rollIfNeeded(Duration retention) {
      long next = head.nextOffset();
      if (next == bucket
          || (bucketUsed < bucketBytes && next - bucket < BUCKET_MAX_OFFSETS && !bucketCrowded)) {
        return CompletableFuture.completedFuture(null);
      }
      return roll(next, retention);
    }

    /**
     * Links the current bucket to a new one starting at {@code start} (fenced), lists it, and opens
     * it with this epoch (fenced: only if no epoch was set there yet).
     */
    private CompletionStage<Void> roll(long start, Duration retention) {
      int ttl = staticsTtl(retention);
      return session
          .executeAsync(link.bind(ttl, start, epoch, topicId, partition, bucket, epoch))
          .thenCompose(
              linked -> {
                refuseIfNotApplied(linked, "link");
                return session.executeAsync(insertBucket.bind(topicId, partition, start));
              })
          .thenCompose(
              listed ->
                  session.executeAsync(
                      advance.bind(
                          ttl,
                          epoch,
                          start,
                          head.lastPublishTime(),
                          start,
                          epoch,
                          topicId,
                          partition,
                          start,
                          null)))
          .thenApply(
              opened -> {
                refuseIfNotApplied(opened, "open");
                bucket = start;
                bucketUsed = 0;
                rangeStart = start;
                bucketCrowded = false;
                return null;
              });
    }

    private void refuseIfNotApplied(AsyncResultSet rs, String what) {
      if (!rs.wasApplied()) {
        throw new FencedException(
            "partition " + partition + ": " + what + " refused, epoch " + epoch + " was superseded");
      }
    }

    /**
     * Appends entries (consecutive offsets from the head) as segments of at most {@code
     * segmentBytes}: one write per bucket (or per {@link #MAX_WRITE_BYTES}), usually one for the
     * whole commit. Fails with {@link FencedException} if a newer owner took the partition; then
     * nothing of the failed write is ever read.
     */
    public CompletionStage<Void> append(Duration retention, List<LogEntry> entries) {
      if (entries.isEmpty()) {
        return CompletableFuture.completedFuture(null);
      }
      if (entries.get(0).message().offset() != head.nextOffset()) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException(
                "append at " + entries.get(0).message().offset() + ", head is " + head.nextOffset()));
      }
      List<SegmentCodec.Encoded> segments = SegmentCodec.split(entries, segmentBytes);
      return appendFrom(retention, entries, segments, 0);
    }

    private CompletionStage<Void> appendFrom(
        Duration retention, List<LogEntry> entries, List<SegmentCodec.Encoded> segments, int from) {
      if (from == segments.size()) {
        return CompletableFuture.completedFuture(null);
      }
      return rollIfNeeded(retention)
          .thenCompose(
              rolled -> {
                int to = from;
                long bytes = 0;
                while (to < segments.size()) {
                  SegmentCodec.Encoded s = segments.get(to);
                  boolean bucketFull =
                      bucketUsed + bytes >= bucketBytes
                          || s.lastOffset() - bucket >= BUCKET_MAX_OFFSETS;
                  if (to > from && (bucketFull || bytes + s.bytes().length > MAX_WRITE_BYTES)) {
                    break;
                  }
                  bytes += s.bytes().length;
                  to++;
                }
                int end = to;
                long written = bytes;
                return write(retention, entries, segments.subList(from, end), bytes)
                    .thenCompose(
                        done -> {
                          bucketUsed += written;
                          return appendFrom(retention, entries, segments, end);
                        });
              });
    }

    /**
     * Stores segments of one bucket and moves the head past them: one conditional batch for up to
     * {@code inlineBytes}, else the rows (plain) and then the advance (a lightweight transaction).
     */
    private CompletionStage<Void> write(
        Duration retention,
        List<LogEntry> entries,
        List<SegmentCodec.Encoded> segments,
        long bytes) {
      Instant now = Instant.now();
      SegmentCodec.Encoded last = segments.get(segments.size() - 1);
      long firstEntry = entries.get(0).message().offset();
      BoundStatement advanceHead =
          advance.bind(
              staticsTtl(retention),
              epoch,
              last.lastOffset() + 1,
              last.lastPublishTime(),
              rangeStart,
              epoch,
              topicId,
              partition,
              bucket,
              epoch);
      boolean inline = bytes <= inlineBytes;
      BatchStatementBuilder rows = BatchStatement.builder(BatchType.UNLOGGED);
      if (inline) {
        rows.addStatement(advanceHead);
      }
      for (SegmentCodec.Encoded s : segments) {
        List<LogEntry> mine =
            entries.subList(
                (int) (s.firstOffset() - firstEntry), (int) (s.lastOffset() - firstEntry + 1));
        rows.addStatement(
            writeSegment
                .boundStatementBuilder()
                .setInt(0, ttlSeconds(retention, s.lastPublishTime(), now))
                .setLong(1, s.lastOffset())
                .setInstant(2, s.lastPublishTime())
                .setByteBuffer(3, ByteBuffer.wrap(s.bytes()))
                .setByteBuffer(
                    4,
                    ByteBuffer.wrap(SegmentCodec.idHashes(mine, s.firstOffset(), s.lastOffset())))
                .setUuid(5, topicId)
                .setInt(6, partition)
                .setLong(7, bucket)
                .setLong(8, s.firstOffset())
                .setLong(9, epoch)
                .build());
      }
      CompletionStage<AsyncResultSet> written = session.executeAsync(rows.build());
      if (!inline) {
        written = written.thenCompose(stored -> session.executeAsync(advanceHead));
      }
      return written.thenApply(
          rs -> {
            refuseIfNotApplied(rs, "write");
            head = new Head(last.lastOffset() + 1, last.lastPublishTime());
            return null;
          });
    }
  }

  // ---- reading ----

  /** The bucket holding {@code offset}: the one with the greatest first offset at or below it. */
  private CompletionStage<Optional<Long>> bucketOf(UUID topicId, int partition, long offset) {
    return session
        .executeAsync(bucketFloor.bind(topicId, partition, offset))
        .thenApply(rs -> Optional.ofNullable(rs.one()).map(r -> r.getLong(0)));
  }

  private CompletionStage<Optional<Long>> nextBucket(UUID topicId, int partition, long bucket) {
    return session
        .executeAsync(bucketAfter.bind(topicId, partition, bucket))
        .thenApply(rs -> Optional.ofNullable(rs.one()).map(r -> r.getLong(0)));
  }

  /**
   * Reads up to {@code limit} messages with offsets in [from, until), in offset order: the segment
   * holding {@code from}, then the segments after it. Expired ranges are skipped, so the first
   * message returned may lie past {@code from}.
   */
  @Override
  public CompletionStage<List<LogEntry>> read(
      UUID topicId, int partition, long from, long until, int limit) {
    if (from >= until || limit <= 0) {
      return CompletableFuture.completedFuture(List.of());
    }
    return bucketOf(topicId, partition, from)
        .thenCompose(
            bucket -> {
              List<LogEntry> into = new ArrayList<>();
              if (bucket.isPresent()) {
                return readBucket(topicId, partition, bucket.get(), from, until, limit, into);
              }
              // Below the first bucket (none lists it): start at the first one.
              return nextBucket(topicId, partition, from)
                  .thenCompose(
                      first ->
                          first.isPresent() && first.get() < until
                              ? readBucket(
                                  topicId, partition, first.get(), first.get(), until, limit, into)
                              : CompletableFuture.completedFuture(into));
            });
  }

  private CompletionStage<List<LogEntry>> readBucket(
      UUID topicId, int partition, long bucket, long from, long until, int limit,
      List<LogEntry> into) {
    CompletionStage<Optional<Row>> floor = floorRow(floorSegment, topicId, partition, bucket, from);
    CompletionStage<AsyncResultSet> after =
        session.executeAsync(
            rangeSegments
                .bind(topicId, partition, bucket, from, until)
                .setPageSize(SEGMENT_PAGE));
    return floor
        .thenCompose(
            found -> {
              Row row = found.orElse(null);
              if (row != null
                  && row.getLong("last_offset") >= from
                  && addRecords(row, partition, from, until, limit, into)) {
                return CompletableFuture.completedFuture(true);
              }
              return after.thenCompose(more -> collect(more, partition, from, until, limit, into));
            })
        .thenCompose(
            full -> {
              if (full) {
                return CompletableFuture.completedFuture(into);
              }
              return nextBucket(topicId, partition, bucket)
                  .thenCompose(
                      next ->
                          next.isPresent() && next.get() < until
                              ? readBucket(
                                  topicId, partition, next.get(), next.get(), until, limit, into)
                              : CompletableFuture.completedFuture(into));
            });
  }

  /** Adds the records of these segment rows, page by page; true once {@code limit} is reached. */
  private CompletionStage<Boolean> collect(
      AsyncResultSet rs, int partition, long from, long until, int limit, List<LogEntry> into) {
    LiveRows live = null;
    for (Row row : rs.currentPage()) {
      live = live == null ? LiveRows.of(row) : live;
      if (live.holds(row) && addRecords(row, partition, from, until, limit, into)) {
        return CompletableFuture.completedFuture(true);
      }
    }
    if (rs.hasMorePages()) {
      return rs.fetchNextPage()
          .thenCompose(next -> collect(next, partition, from, until, limit, into));
    }
    return CompletableFuture.completedFuture(into.size() >= limit);
  }

  private static boolean addRecords(
      Row row, int partition, long from, long until, int limit, List<LogEntry> into) {
    for (LogEntry e : SegmentCodec.decode(bytesOf(row.getByteBuffer("records")), partition)) {
      long offset = e.message().offset();
      if (offset >= from && offset < until) {
        into.add(e);
        if (into.size() >= limit) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The row of the log with the greatest first offset at or below {@code offset} in one bucket
   * (rows a superseded owner stored late are passed over), with the columns {@code floorQuery}
   * selects. Fetched one row at a time: the first is nearly always it, and rows can be large.
   */
  private CompletionStage<Optional<Row>> floorRow(
      PreparedStatement floorQuery, UUID topicId, int partition, long bucket, long offset) {
    return session
        .executeAsync(floorQuery.bind(topicId, partition, bucket, offset).setPageSize(1))
        .thenCompose(TopicLogStore::firstLive);
  }

  private static CompletionStage<Optional<Row>> firstLive(AsyncResultSet rs) {
    LiveRows live = null;
    for (Row row : rs.currentPage()) {
      live = live == null ? LiveRows.of(row) : live;
      if (live.holds(row)) {
        return CompletableFuture.completedFuture(Optional.of(row));
      }
    }
    return rs.hasMorePages()
        ? rs.fetchNextPage().thenCompose(TopicLogStore::firstLive)
        : CompletableFuture.completedFuture(Optional.empty());
  }

  private static byte[] bytesOf(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  /** The message at {@code offset}, if it is retained. */
  public CompletionStage<Optional<LogEntry>> readOne(UUID topicId, int partition, long offset) {
    return bucketOf(topicId, partition, offset)
        .thenCompose(
            bucket ->
                bucket.isEmpty()
                    ? CompletableFuture.completedFuture(Optional.<LogEntry>empty())
                    : floorRow(floorSegment, topicId, partition, bucket.get(), offset)
                        .thenApply(
                            found -> {
                              Row row = found.orElse(null);
                              if (row == null || row.getLong("last_offset") < offset) {
                                return Optional.<LogEntry>empty();
                              }
                              List<LogEntry> records =
                                  SegmentCodec.decode(
                                      bytesOf(row.getByteBuffer("records")), partition);
                              return Optional.of(
                                  records.get((int) (offset - row.getLong("first_offset"))));
                            }));
  }

  /** The publish time of the segment holding {@code offset}, if it is retained. */
  private CompletionStage<Optional<Instant>> timeAt(UUID topicId, int partition, long offset) {
    return bucketOf(topicId, partition, offset)
        .thenCompose(
            bucket ->
                bucket.isEmpty()
                    ? CompletableFuture.completedFuture(Optional.<Instant>empty())
                    : floorRow(floorMeta, topicId, partition, bucket.get(), offset)
                        .thenApply(
                            found ->
                                found
                                    .filter(r -> r.getLong("last_offset") >= offset)
                                    .map(r -> r.getInstant("publish_time"))));
  }

  /**
   * The first offset in [0, head) whose message was published at or after {@code time}, or
   * {@code head} if none: a binary search over segment metadata (no records are read), as publish
   * times never decrease within a partition and a segment's records share one. Expired offsets
   * count as earlier than any time.
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
    return timeAt(topicId, partition, mid)
        .thenCompose(
            at -> {
              boolean before = at.isEmpty() || at.get().isBefore(time);
              return before
                  ? search(topicId, partition, time, mid + 1, high)
                  : search(topicId, partition, time, low, mid);
            });
  }

  /**
   * The id hashes of producer-chosen ids at offsets in [from, until), as (offset, hash) pairs in
   * offset order, read from the segments' id columns only: what a starting owner rebuilds its
   * dedup memory from, and what a Bloom filter hit is narrowed down with.
   */
  public CompletionStage<long[]> idHashes(UUID topicId, int partition, long from, long until) {
    if (from >= until) {
      return CompletableFuture.completedFuture(new long[0]);
    }
    return bucketOf(topicId, partition, from)
        .thenCompose(
            bucket -> {
              LongPairs into = new LongPairs();
              long start = bucket.orElse(0L);
              return floorRow(floorMeta, topicId, partition, start, from)
                  .thenCompose(
                      found -> {
                        long lowest = found.map(r -> r.getLong("first_offset")).orElse(from);
                        return hashesFrom(topicId, partition, start, lowest, from, until, into);
                      })
                  .thenApply(done -> into.toArray());
            });
  }

  private CompletionStage<Void> hashesFrom(
      UUID topicId, int partition, long bucket, long lowest, long from, long until,
      LongPairs into) {
    return Rows.all(
            session.executeAsync(
                rangeIdHashes.bind(topicId, partition, bucket, lowest, until).setPageSize(256)),
            Function.identity())
        .thenCompose(
            rows -> {
              for (Row row : rows) {
                // Each row with its own page's statics: the pages are separate reads.
                if (row.getLong("last_offset") < from
                    || row.isNull("id_hashes")
                    || !LiveRows.of(row).holds(row)) {
                  continue;
                }
                SegmentCodec.decodeIdHashes(
                    bytesOf(row.getByteBuffer("id_hashes")),
                    row.getLong("first_offset"),
                    (offset, hash) -> {
                      if (offset >= from && offset < until) {
                        into.add(offset, hash);
                      }
                    });
              }
              return nextBucket(topicId, partition, bucket)
                  .thenCompose(
                      next ->
                          next.isPresent() && next.get() < until
                              ? hashesFrom(
                                  topicId, partition, next.get(), next.get(), from, until, into)
                              : CompletableFuture.<Void>completedFuture(null));
            });
  }

  /** A growable array of (long, long) pairs. */
  private static final class LongPairs {
    private long[] values = new long[64];
    private int size;

    void add(long a, long b) {
      if (size + 2 > values.length) {
        values = java.util.Arrays.copyOf(values, values.length * 2);
      }
      values[size++] = a;
      values[size++] = b;
    }

    long[] toArray() {
      return java.util.Arrays.copyOf(values, size);
    }
  }
}
