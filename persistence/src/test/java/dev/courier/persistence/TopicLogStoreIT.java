package dev.courier.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.ConfigFactory;
import dev.courier.persistence.cassandra.RealCassandra;
import dev.courier.persistence.segment.IdHash;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The segment log on the real Cassandra: fenced owners, buckets, reads at any offset. */
class TopicLogStoreIT {
  private static final Duration RETENTION = Duration.ofDays(1);
  private static CqlSession session;
  private static String keyspace;
  private static TopicLogStore store;

  @BeforeAll
  static void open() {
    session = RealCassandra.newSession();
    var config = ConfigFactory.load();
    for (String cql : CourierSchema.fromConfig(config).statements()) {
      session.execute(SimpleStatement.newInstance(cql).setTimeout(Duration.ofSeconds(60)));
    }
    keyspace = config.getString("courier.cassandra.schema.keyspace");
    store = new TopicLogStore(session, keyspace, 256 * 1024, 64L << 20);
  }

  @AfterAll
  static void close() {
    session.close();
  }

  /** The first instant on this clock some milliseconds after {@code t} (publish times are in ms). */
  private static Instant laterThan(Instant t) {
    Instant after = t.plusMillis(10);
    Instant now = Instant.now();
    while (!now.isAfter(after)) {
      Thread.onSpinWait();
      now = Instant.now();
    }
    return now;
  }

  private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static List<LogEntry> entries(String prefix, long from, int count) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long offset = from + i;
      entries.add(
          new LogEntry(
              new StoredMessage(
                  prefix + offset, "k" + (offset % 3), 0, offset, now, Map.of("n", "" + offset),
                  "{\"n\":" + offset + "}"),
              true));
    }
    return entries;
  }

  private static List<String> ids(List<LogEntry> entries) {
    return entries.stream().map(e -> e.message().id()).toList();
  }

  @Test
  void twoOwnersAtOnceOnlyTheNewerWritesAndNothingIsLostOrReordered() throws Exception {
    UUID topic = UUID.randomUUID();
    TopicLogStore.Writer older = await(store.openWriter(topic, 0, RETENTION));
    await(older.append(RETENTION, entries("a-", 0, 10)));

    TopicLogStore.Writer newer = await(store.openWriter(topic, 0, RETENTION));
    assertEquals(10, newer.head().nextOffset(), "the newer owner starts after what was stored");
    assertTrue(newer.epoch() > older.epoch());

    ExecutionException refused =
        assertThrows(ExecutionException.class, () -> await(older.append(RETENTION, entries("a-", 10, 5))));
    assertInstanceOf(TopicLogStore.FencedException.class, refused.getCause());
    await(newer.append(RETENTION, entries("b-", 10, 10)));
    assertThrows(ExecutionException.class, () -> await(older.append(RETENTION, entries("a-", 10, 5))));

    List<LogEntry> all = await(store.read(topic, 0, 0, 1000, 1000));
    List<String> expected = new ArrayList<>(ids(entries("a-", 0, 10)));
    expected.addAll(ids(entries("b-", 10, 10)));
    assertEquals(expected, ids(all));
    for (int i = 0; i < all.size(); i++) {
      assertEquals(i, all.get(i).message().offset());
    }
  }

  @Test
  void aWriteRacingANewOwnerIsEitherInItsHeadOrRefused() throws Exception {
    race(store, "one conditional batch");
  }

  @Test
  void aSplitWriteRacingANewOwnerIsEitherInItsHeadOrRefused() throws Exception {
    race(new TopicLogStore(session, keyspace, 256 * 1024, 64L << 20, 0), "rows, then the advance");
  }

  private static void race(TopicLogStore store, String mode) throws Exception {
    int applied = 0;
    int refused = 0;
    for (int round = 0; round < 15; round++) {
      UUID topic = UUID.randomUUID();
      TopicLogStore.Writer older = await(store.openWriter(topic, 0, RETENTION));
      await(older.append(RETENTION, entries("a-", 0, 10)));
      // The older owner's write is in flight while the new owner takes the partition.
      CompletableFuture<Void> late = older.append(RETENTION, entries("late-", 10, 10)).toCompletableFuture();
      TopicLogStore.Writer newer = await(store.openWriter(topic, 0, RETENTION));
      boolean stored;
      try {
        late.get(30, TimeUnit.SECONDS);
        stored = true;
        applied++;
      } catch (ExecutionException e) {
        assertInstanceOf(TopicLogStore.FencedException.class, e.getCause());
        stored = false;
        refused++;
      }
      // A write its writer saw succeed is in the new owner's log; one refused never shows up.
      assertEquals(stored ? 20 : 10, newer.head().nextOffset());
      List<LogEntry> log = await(store.read(topic, 0, 0, 100, 100));
      assertEquals(stored ? 20 : 10, log.size());
      await(newer.append(RETENTION, entries("b-", newer.head().nextOffset(), 3)));
      assertEquals(
          (stored ? 20 : 10) + 3, await(store.read(topic, 0, 0, 100, 100)).size(),
          "and no late write lands after the new owner's");
    }
    System.out.printf(
        "racing writes (%s): %d applied before the fence, %d refused%n", mode, applied, refused);
  }

  @Test
  void rowsASupersededOwnerStoresAfterATakeOverAreNeverRead() throws Exception {
    // Every commit is written as rows, then the advance; small segments, so a commit is several.
    TopicLogStore split = new TopicLogStore(session, keyspace, 200, 64L << 20, 0);
    UUID topic = UUID.randomUUID();
    TopicLogStore.Writer first = await(split.openWriter(topic, 0, RETENTION));
    // The second owner takes the partition while its first bucket is still empty, so it writes
    // into that bucket (a later owner starts a bucket of its own) beside the first owner's rows.
    TopicLogStore.Writer second = await(split.openWriter(topic, 0, RETENTION));
    assertRefused(first.append(RETENTION, entries("stale-first-", 0, 30)));
    List<LogEntry> log = new ArrayList<>(entries("b-", 0, 15));
    await(second.append(RETENTION, log));
    assertRefused(first.append(RETENTION, entries("stale-first-", 0, 30)));

    TopicLogStore.Writer third = await(split.openWriter(topic, 0, RETENTION));
    assertEquals(15, third.head().nextOffset());
    assertRefused(second.append(RETENTION, entries("stale-second-", 15, 20)));
    List<LogEntry> c = entries("c-", 15, 8);
    await(third.append(RETENTION, c));
    log.addAll(c);

    List<Long> writers =
        session
            .execute(
                "SELECT written_by FROM " + keyspace + ".topic_segments WHERE topic_id = " + topic
                    + " AND partition = 0 AND bucket = 0")
            .all()
            .stream()
            .map(r -> r.getLong(0))
            .toList();
    assertTrue(
        writers.stream().filter(w -> w == first.epoch()).count() >= 4
            && writers.contains(second.epoch()),
        "both owners' rows share the first bucket: " + writers);

    int total = log.size();
    assertEquals(ids(log), ids(await(split.read(topic, 0, 0, 1000, 1000))));
    for (int from = 0; from < total; from++) {
      assertEquals(log.get(from).message(), await(split.readOne(topic, 0, from)).orElseThrow().message());
      assertEquals(
          ids(log.subList(from, Math.min(total, from + 4))),
          ids(await(split.read(topic, 0, from, 1000, 4))),
          "read from " + from);
    }
    long[] hashes = await(split.idHashes(topic, 0, 0, 1000));
    assertEquals(2 * total, hashes.length);
    for (int i = 0; i < hashes.length; i += 2) {
      StoredMessage m = log.get((int) hashes[i]).message();
      assertEquals(i / 2, hashes[i]);
      assertEquals(IdHash.of(m.id(), m.key()), hashes[i + 1]);
    }
    assertEquals(total, await(split.openWriter(topic, 0, RETENTION)).head().nextOffset());
  }

  private static void assertRefused(java.util.concurrent.CompletionStage<Void> write) {
    ExecutionException refused = assertThrows(ExecutionException.class, () -> await(write));
    assertInstanceOf(TopicLogStore.FencedException.class, refused.getCause());
  }

  @Test
  void bucketsRollBySizeAndEveryOffsetReadsBack() throws Exception {
    TopicLogStore small = new TopicLogStore(session, keyspace, 200, 500);
    UUID topic = UUID.randomUUID();
    TopicLogStore.Writer writer = await(small.openWriter(topic, 0, RETENTION));
    List<LogEntry> written = new ArrayList<>();
    for (int commit = 0; commit < 12; commit++) {
      List<LogEntry> batch = entries("m-", written.size(), 7 + commit);
      await(writer.append(RETENTION, batch));
      written.addAll(batch);
    }
    long buckets =
        session
            .execute(
                "SELECT count(*) FROM " + keyspace + ".topic_buckets WHERE topic_id = " + topic
                    + " AND partition = 0")
            .one()
            .getLong(0);
    assertTrue(buckets > 3, "the log spread over " + buckets + " buckets");
    int total = written.size();
    assertEquals(ids(written), ids(await(small.read(topic, 0, 0, total, total))));
    for (int from = 0; from < total; from += 13) {
      for (int limit : new int[] {1, 5, 40}) {
        List<LogEntry> page = await(small.read(topic, 0, from, total, limit));
        assertEquals(
            ids(written.subList(from, Math.min(total, from + limit))), ids(page),
            "read from " + from + " limit " + limit);
      }
      assertEquals(
          written.get(from).message(), await(small.readOne(topic, 0, from)).orElseThrow().message());
    }
    long[] hashes = await(small.idHashes(topic, 0, 5, total - 5));
    assertEquals(2 * (total - 10), hashes.length);
    for (int i = 0; i < hashes.length; i += 2) {
      StoredMessage m = written.get((int) hashes[i]).message();
      assertEquals(IdHash.of(m.id(), m.key()), hashes[i + 1]);
    }
    // A new owner finds the end of the last bucket and goes on from there.
    TopicLogStore.Writer next = await(small.openWriter(topic, 0, RETENTION));
    assertEquals(total, next.head().nextOffset());
    assertThrows(ExecutionException.class, () -> await(writer.append(RETENTION, entries("x-", total, 50))));
    await(next.append(RETENTION, entries("n-", total, 50)));
    assertEquals(total + 50, await(small.read(topic, 0, 0, 10_000, 10_000)).size());
  }

  @Test
  void offsetAtFindsTheFirstMessageAtOrAfterATime() throws Exception {
    UUID topic = UUID.randomUUID();
    TopicLogStore.Writer writer = await(store.openWriter(topic, 0, RETENTION));
    await(writer.append(RETENTION, entries("a-", 0, 10)));
    Instant between = laterThan(Instant.now());
    laterThan(between);
    await(writer.append(RETENTION, entries("b-", 10, 10)));
    assertEquals(10L, await(store.offsetAt(topic, 0, between, 20)));
    assertEquals(0L, await(store.offsetAt(topic, 0, Instant.EPOCH, 20)));
    assertEquals(20L, await(store.offsetAt(topic, 0, Instant.now().plusSeconds(60), 20)));
  }
}
