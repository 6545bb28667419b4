package dev.courier.query;

import dev.courier.protocol.subscription.DeliveryJson;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * An ad-hoc query over a topic's retained log: reads every partition a page at a time, merges the
 * pages in publish-time order, and evaluates the compiled query on each message, until the range
 * ends, the row limit or byte bound is reached, or the time budget is spent (the last two answer
 * {@code truncated}). It holds at most one page per partition, never the log. An aggregation runs
 * its windows over the scanned messages and closes every window still open at the end.
 */
public final class HistoryScan {

  /** Reads a page of one partition's log: up to {@code limit} messages in [from, until), in order. */
  public interface Pages {
    CompletionStage<List<StoredMessage>> read(int partition, long from, long until, int limit);
  }

  /**
   * What to scan: per partition the offsets [from, until) (until: the head when the scan began),
   * and messages published before {@code to} (null: no bound).
   */
  public record Range(List<Long> from, List<Long> until, Instant to) {
    public Range {
      from = List.copyOf(from);
      until = List.copyOf(until);
      if (from.size() != until.size()) {
        throw new IllegalArgumentException("one start and one end per partition");
      }
    }
  }

  /** The rows (JSON objects as text), the messages scanned, and whether a bound cut the scan. */
  public record Result(List<String> rows, long scanned, boolean truncated) {}

  private static final Instant END_OF_TIME = Instant.ofEpochMilli(Long.MAX_VALUE);

  private final CompiledQuery query;
  private final String topic;
  private final Pages pages;
  private final Range range;
  private final int limit;
  private final HistorySettings settings;
  private final LongSupplier nanoClock;
  private final long deadline;
  private final List<ArrayDeque<StoredMessage>> buffers = new ArrayList<>();
  private final long[] next;
  private final boolean[] exhausted;
  private final List<String> rows = new ArrayList<>();
  private final WindowedAggregation aggregation;
  private WindowState windows;
  private long bytes;
  private long scanned;
  private boolean truncated;

  private HistoryScan(
      CompiledQuery query, String topic, Pages pages, Range range, int limit,
      HistorySettings settings, LongSupplier nanoClock) {
    this.query = query;
    this.topic = topic;
    this.pages = pages;
    this.range = range;
    this.limit = limit;
    this.settings = settings;
    this.nanoClock = nanoClock;
    this.deadline = nanoClock.getAsLong() + settings.timeBudget().toNanos();
    int partitions = range.from().size();
    this.next = new long[partitions];
    this.exhausted = new boolean[partitions];
    for (int p = 0; p < partitions; p++) {
      buffers.add(new ArrayDeque<>());
      next[p] = range.from().get(p);
      exhausted[p] = next[p] >= range.until().get(p);
    }
    this.aggregation = query.aggregation().orElse(null);
    this.windows = aggregation == null ? null : aggregation.initial(partitions);
  }

  /**
   * Runs {@code query} over {@code range} of {@code topic}'s log, at most {@code limit} rows. The
   * evaluation runs on the common pool between page reads, never on the caller's thread.
   */
  public static CompletionStage<Result> run(
      CompiledQuery query, String topic, Pages pages, Range range, int limit,
      HistorySettings settings, LongSupplier nanoClock) {
    HistoryScan scan = new HistoryScan(query, topic, pages, range, limit, settings, nanoClock);
    return CompletableFuture.completedFuture(null).thenComposeAsync(x -> scan.loop());
  }

  private CompletionStage<Result> loop() {
    while (true) {
      if (nanoClock.getAsLong() - deadline >= 0) {
        truncated = true;
        return CompletableFuture.completedFuture(finish());
      }
      List<CompletableFuture<Void>> reads = new ArrayList<>();
      for (int p = 0; p < buffers.size(); p++) {
        if (!exhausted[p] && buffers.get(p).isEmpty()) {
          reads.add(readPage(p));
        }
      }
      if (!reads.isEmpty()) {
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
            .thenComposeAsync(x -> loop());
      }
      int p = oldestHead();
      if (p < 0) {
        return CompletableFuture.completedFuture(finish());
      }
      StoredMessage m = buffers.get(p).poll();
      if (range.to() != null && !m.publishTime().isBefore(range.to())) {
        // A partition's publish times only grow: nothing after this is in range either.
        exhausted[p] = true;
        buffers.get(p).clear();
        continue;
      }
      scanned++;
      if (!evaluate(m)) {
        truncated = true;
        return CompletableFuture.completedFuture(finish());
      }
    }
  }

  private CompletableFuture<Void> readPage(int p) {
    long from = next[p];
    long until = range.until().get(p);
    int size = (int) Math.min(settings.page(), until - from);
    return pages.read(p, from, until, size).toCompletableFuture().thenAccept(page -> {
      if (page.isEmpty()) {
        exhausted[p] = true; // nothing stored in the rest of the range (expired)
        return;
      }
      buffers.get(p).addAll(page);
      next[p] = page.get(page.size() - 1).offset() + 1;
      exhausted[p] = next[p] >= until;
    });
  }

  /** The partition whose next message was published first (ties: the lower partition). */
  private int oldestHead() {
    int best = -1;
    for (int p = 0; p < buffers.size(); p++) {
      StoredMessage head = buffers.get(p).peek();
      if (head != null
          && (best < 0 || head.publishTime().isBefore(buffers.get(best).peek().publishTime()))) {
        best = p;
      }
    }
    return best;
  }

  /** Evaluates one message; false once a bound on the answer is reached. */
  private boolean evaluate(StoredMessage m) {
    if (aggregation != null) {
      Step step = aggregation.accept(windows, QueryMessage.of(m));
      windows = step.state();
      return add(step.rows());
    }
    Optional<String> data = query.project(QueryMessage.of(m));
    if (data.isEmpty()) {
      return true;
    }
    return add(query.kind() == QueryKind.FILTER ? record(m) : data.get());
  }

  private boolean add(List<ResultRow> closed) {
    for (ResultRow r : closed) {
      if (!add(r.data())) {
        return false;
      }
    }
    return true;
  }

  private boolean add(String row) {
    if (rows.size() >= limit || bytes + row.length() > settings.maxBytes()) {
      return false;
    }
    rows.add(row);
    bytes += row.length();
    return true;
  }

  private Result finish() {
    if (aggregation != null) {
      // The scan is over: every window still open closes with what it saw.
      if (!add(aggregation.tick(windows, END_OF_TIME).rows())) {
        truncated = true;
      }
    }
    return new Result(List.copyOf(rows), scanned, truncated);
  }

  /** A {@code SELECT *} row: the message's delivery record, less what only a delivery has. */
  private String record(StoredMessage m) {
    return DeliveryJson.undelivered(new DeliveryRecord(null, m.id(), topic, m.partition(),
        m.offset(), m.key(), m.publishTime(), m.attributes(), m.data() == null ? "null" : m.data(),
        0));
  }
}
