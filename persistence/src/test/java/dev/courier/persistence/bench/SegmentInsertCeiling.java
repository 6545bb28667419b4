package dev.courier.persistence.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.ConfigFactory;
import dev.courier.persistence.CourierSchema;
import dev.courier.persistence.LogEntry;
import dev.courier.persistence.TopicLogStore;
import dev.courier.persistence.cassandra.RealCassandra;
import dev.courier.persistence.segment.SegmentCodec;
import dev.courier.protocol.topic.StoredMessage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cassandra's raw ceiling for the segment insert, from the Java driver with a fixed number of
 * requests in flight, and what the writer's fence costs on top of it. Prints one line per mode:
 *
 * <ul>
 *   <li>{@code plain}: the segment row alone, an unconditional insert (no fence);
 *   <li>{@code split}: {@link TopicLogStore.Writer#append} as Courier writes a commit larger than
 *       {@code courier.topic-partition.fence-inline-bytes}: the rows, then the fenced advance of
 *       the head (a lightweight transaction of a few bytes), one writer per in-flight slot;
 *   <li>{@code inline}: the same append as one conditional batch, rows and advance together (one
 *       lightweight transaction carrying the segments), as Courier writes a smaller commit;
 * </ul>
 *
 * Run (Cassandra on 127.0.0.1:9042): {@code mvn -o -q -pl persistence -am test-compile} then
 * {@code java -cp persistence/target/test-classes:persistence/target/classes:<classpath>
 * dev.courier.persistence.bench.SegmentInsertCeiling [seconds] [inFlight] [recordsPerSegment]
 * [recordBytes]} (defaults 10, 8, 50, 1024).
 */
public final class SegmentInsertCeiling {
  private static final Duration RETENTION = Duration.ofHours(1);

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int records = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    int recordBytes = args.length > 3 ? Integer.parseInt(args[3]) : 1024;
    try (CqlSession session = RealCassandra.newSession()) {
      var config = ConfigFactory.load();
      for (String cql : CourierSchema.fromConfig(config).statements()) {
        session.execute(SimpleStatement.newInstance(cql).setTimeout(Duration.ofSeconds(60)));
      }
      String ks = config.getString("courier.cassandra.schema.keyspace");
      System.out.printf(
          "segment insert ceiling: %d in flight, %d records of %d bytes per segment, %d s per mode%n",
          inFlight, records, recordBytes, seconds);
      for (int round = 0; round < 2; round++) {
        plain(session, ks, seconds, inFlight, records, recordBytes);
        fenced(session, ks, seconds, inFlight, records, recordBytes, "split", 0);
        fenced(session, ks, seconds, inFlight, records, recordBytes, "inline", Integer.MAX_VALUE);
      }
    }
  }

  private static List<LogEntry> segment(long first, int records, int recordBytes) {
    String data = "\"" + "x".repeat(Math.max(0, recordBytes - 2)) + "\"";
    Instant now = Instant.now();
    List<LogEntry> entries = new ArrayList<>(records);
    for (int i = 0; i < records; i++) {
      entries.add(
          new LogEntry(
              new StoredMessage(
                  "id-" + (first + i), "k" + (i % 100), 0, first + i, now, Map.of(), data),
              true));
    }
    return entries;
  }

  private static void plain(
      CqlSession session, String ks, int seconds, int inFlight, int records, int recordBytes)
      throws Exception {
    PreparedStatement insert =
        session.prepare(
            "INSERT INTO " + ks + ".topic_segments (topic_id, partition, bucket, first_offset,"
                + " written_by, last_offset, publish_time, records, id_hashes)"
                + " VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?) USING TTL 3600");
    UUID topic = UUID.randomUUID();
    AtomicLong nextOffset = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long[] latencies = new long[1 << 20];
    AtomicLong count = new AtomicLong();
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    long start = System.nanoTime();
    for (int slot = 0; slot < inFlight; slot++) {
      int partition = slot;
      loops.add(
          loop(
              end,
              () -> {
                long first = nextOffset.getAndAdd(records);
                List<LogEntry> entries = segment(first, records, recordBytes);
                byte[] bytes = SegmentCodec.encode(entries);
                byte[] ids = SegmentCodec.idHashes(entries, first, first + records - 1);
                long t0 = System.nanoTime();
                return session
                    .executeAsync(
                        insert.bind(
                            topic, partition, first / 1_000_000, first, first + records - 1,
                            Instant.now(), ByteBuffer.wrap(bytes), ByteBuffer.wrap(ids)))
                    .thenAccept(rs -> record(latencies, count, System.nanoTime() - t0));
              }));
    }
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).join();
    report("plain", start, count.get(), records, latencies);
  }

  private static void fenced(
      CqlSession session, String ks, int seconds, int inFlight, int records, int recordBytes,
      String mode, int inlineBytes)
      throws Exception {
    TopicLogStore store = new TopicLogStore(session, ks, 256 * 1024, 64L << 20, inlineBytes);
    UUID topic = UUID.randomUUID();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long[] latencies = new long[1 << 20];
    AtomicLong count = new AtomicLong();
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    List<TopicLogStore.Writer> writers = new ArrayList<>();
    for (int slot = 0; slot < inFlight; slot++) {
      writers.add(store.openWriter(topic, slot, RETENTION).toCompletableFuture().get());
    }
    long start = System.nanoTime();
    for (TopicLogStore.Writer writer : writers) {
      loops.add(
          loop(
              end,
              () -> {
                List<LogEntry> entries =
                    segment(writer.head().nextOffset(), records, recordBytes);
                long t0 = System.nanoTime();
                return writer
                    .append(RETENTION, entries)
                    .thenAccept(done -> record(latencies, count, System.nanoTime() - t0));
              }));
    }
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).join();
    report(mode, start, count.get(), records, latencies);
  }

  private static synchronized void record(long[] latencies, AtomicLong count, long nanos) {
    long n = count.getAndIncrement();
    if (n < latencies.length) {
      latencies[(int) n] = nanos;
    }
  }

  private static CompletableFuture<Void> loop(
      long end, java.util.function.Supplier<CompletionStage<Void>> step) {
    if (System.nanoTime() >= end) {
      return CompletableFuture.completedFuture(null);
    }
    return step.get().toCompletableFuture().thenCompose(done -> loop(end, step));
  }

  private static void report(String mode, long start, long segments, int records, long[] lat) {
    double seconds = (System.nanoTime() - start) / 1e9;
    int n = (int) Math.min(segments, lat.length);
    long[] sorted = Arrays.copyOf(lat, n);
    Arrays.sort(sorted);
    System.out.printf(
        "%s: %.0f segments/s = %.0f msgs/s; latency p50 %.2f ms, p99 %.2f ms%n",
        mode,
        segments / seconds,
        segments * records / seconds,
        sorted[n / 2] / 1e6,
        sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e6);
  }
}
