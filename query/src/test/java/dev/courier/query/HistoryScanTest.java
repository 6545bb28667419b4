package dev.courier.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Ad-hoc queries page through a log, in publish-time order, within their bounds. */
class HistoryScanTest {

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final QueryCompiler COMPILER =
      new QueryCompiler(new QuerySettings(1000, Duration.ofSeconds(5), 100));
  private static final HistorySettings SETTINGS =
      new HistorySettings(10_000, 10_000, Duration.ofSeconds(10), 1 << 20, 7, 4);

  /**
   * A log of {@code perPartition} messages on each of {@code partitions}; message o of partition p
   * is published at T0 + (o * partitions + p) seconds, data {"n": o * partitions + p}.
   */
  private static final class Log implements HistoryScan.Pages {
    final int partitions;
    final int perPartition;
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger largestPage = new AtomicInteger();

    Log(int partitions, int perPartition) {
      this.partitions = partitions;
      this.perPartition = perPartition;
    }

    StoredMessage message(int p, long o) {
      long n = o * partitions + p;
      return new StoredMessage("m" + n, "k" + (n % 3), p, o, T0.plusSeconds(n),
          Map.of("a", "b"), "{\"n\":" + n + "}");
    }

    @Override
    public CompletableFuture<List<StoredMessage>> read(
        int partition, long from, long until, int limit) {
      reads.incrementAndGet();
      largestPage.accumulateAndGet(limit, Math::max);
      List<StoredMessage> page = new ArrayList<>();
      for (long o = from; o < Math.min(until, perPartition) && page.size() < limit; o++) {
        page.add(message(partition, o));
      }
      return CompletableFuture.supplyAsync(() -> page);
    }

    HistoryScan.Range all() {
      List<Long> from = new ArrayList<>();
      List<Long> until = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        from.add(0L);
        until.add((long) perPartition);
      }
      return new HistoryScan.Range(from, until, null);
    }
  }

  private static HistoryScan.Result run(String sql, Log log, HistoryScan.Range range, int limit,
      HistorySettings settings) throws Exception {
    return HistoryScan.run(COMPILER.compile(sql, "t"), "t", log, range, limit, settings,
            System::nanoTime)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static List<Long> ns(HistoryScan.Result r) throws Exception {
    List<Long> out = new ArrayList<>();
    for (String row : r.rows()) {
      JsonNode json = MessageView.MAPPER.readTree(row);
      out.add(json.has("data") ? json.get("data").get("n").asLong() : json.get("n").asLong());
    }
    return out;
  }

  @Test
  void aFilterMergesPartitionsInPublishTimeOrderAndAnswersDeliveryRecords() throws Exception {
    Log log = new Log(3, 40);
    var r = run("SELECT * FROM t WHERE data.n % 10 = 0", log, log.all(), 1000, SETTINGS);
    assertEquals(List.of(0L, 10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L, 100L, 110L), ns(r));
    assertEquals(120, r.scanned());
    assertFalse(r.truncated());
    JsonNode first = MessageView.MAPPER.readTree(r.rows().get(1));
    assertEquals("m10", first.get("id").asText());
    assertEquals("t", first.get("topic").asText());
    assertEquals(1, first.get("partition").asInt());
    assertEquals(3, first.get("offset").asInt());
    assertEquals("k1", first.get("key").asText());
    assertEquals("2026-01-01T00:00:10Z", first.get("publishTime").asText());
    assertEquals("b", first.get("attributes").get("a").asText());
    assertFalse(first.has("ackId") || first.has("deliveryAttempt"), "nothing was delivered");
    assertTrue(log.largestPage.get() <= 7, "paged reads: " + log.largestPage.get());
    assertTrue(log.reads.get() >= 3 * (40 / 7), "the log was read a page at a time");
  }

  @Test
  void theLimitTruncatesOnlyWhenThereWasMore() throws Exception {
    Log log = new Log(2, 10);
    var cut = run("SELECT data.n FROM t WHERE data.n < 8", log, log.all(), 5, SETTINGS);
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L), ns(cut));
    assertTrue(cut.truncated());
    assertTrue(cut.scanned() < 20, "it stopped at the limit");
    var exact = run("SELECT data.n FROM t WHERE data.n < 5", log, log.all(), 5, SETTINGS);
    assertEquals(5, exact.rows().size());
    assertFalse(exact.truncated());
  }

  @Test
  void theRangeBoundsOffsetsAndPublishTimes() throws Exception {
    Log log = new Log(2, 10);
    var range = new HistoryScan.Range(List.of(2L, 5L), List.of(10L, 10L), T0.plusSeconds(14));
    var r = run("SELECT data.n FROM t", log, range, 100, SETTINGS);
    assertEquals(List.of(4L, 6L, 8L, 10L, 11L, 12L, 13L), ns(r));
  }

  @Test
  void theTimeBudgetAndByteBoundTruncate() throws Exception {
    Log log = new Log(1, 1000);
    AtomicLong clock = new AtomicLong();
    // Each look at the clock is a millisecond later; the budget is 100 ms.
    var budget = new HistorySettings(10_000, 10_000, Duration.ofMillis(100), 1 << 20, 50, 4);
    var timed = HistoryScan.run(COMPILER.compile("SELECT * FROM t", "t"), "t", log, log.all(),
            10_000, budget, () -> clock.addAndGet(1_000_000))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertTrue(timed.truncated());
    assertTrue(timed.scanned() < 1000 && timed.scanned() > 0, "scanned " + timed.scanned());
    var small = new HistorySettings(10_000, 10_000, Duration.ofSeconds(10), 100, 50, 4);
    var bytes = run("SELECT data.n FROM t", log, log.all(), 10_000, small);
    assertTrue(bytes.truncated());
    assertTrue(String.join("", bytes.rows()).length() <= 100);
  }

  @Test
  void anAggregationClosesEveryWindowAtTheEndOfTheScan() throws Exception {
    Log log = new Log(2, 60);
    var r = run("SELECT key, COUNT(*), MAX(data.n) FROM t WHERE data.n < 90"
        + " GROUP BY key, TUMBLE(publishTime, INTERVAL '1' MINUTE)", log, log.all(), 100, SETTINGS);
    assertFalse(r.truncated());
    List<JsonNode> rows = new ArrayList<>();
    for (String row : r.rows()) {
      rows.add(MessageView.MAPPER.readTree(row));
    }
    assertEquals(6, rows.size(), () -> "rows: " + r.rows());
    long total = 0;
    for (JsonNode row : rows) {
      total += row.get("count").asLong();
    }
    assertEquals(90, total);
    JsonNode last = rows.get(rows.size() - 1);
    assertEquals("2026-01-01T00:01:00Z", last.get("windowStart").asText());
    assertEquals(89, rows.stream().mapToLong(x -> x.get("max_n").asLong()).max().orElseThrow());
  }
}
