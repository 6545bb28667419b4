package dev.courier.bench;

import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Does a slow consumer slow anyone else? Publishes a backlog to a fresh topic, then times one SSE
 * subscription reading it as fast as it can: alone, and beside a second subscription of the same
 * topic read at a fixed slow pace (its client reads an event, then waits). Warm-up rounds (not
 * counted) come first; rounds alternate the order of the two runs; prints each run's rate, the
 * medians, the median of each round's ratio, and the load average before and after. Figures, not a
 * pass/fail test.
 *
 * <p>{@code java -cp courier-bench.jar dev.courier.bench.IsolationBench [--url U] [--messages N]
 * [--size BYTES] [--slow-rate MSGS_PER_S] [--rounds R] [--warmup-rounds W]}
 */
public final class IsolationBench {
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(5);
  private static final int BATCH = 500;

  private final URI base;
  private final int messages;
  private final int size;
  private final int slowRate;
  private final PlainRequests requests;
  private final PrintStream out = System.out;

  private IsolationBench(URI base, int messages, int size, int slowRate) {
    this.base = base;
    this.requests = new PlainRequests(base);
    this.messages = messages;
    this.size = size;
    this.slowRate = slowRate;
  }

  public static void main(String[] args) throws Exception {
    String url = "http://127.0.0.1:8080";
    int messages = 50_000;
    int size = 1000;
    int slowRate = 100;
    int rounds = 4;
    int warmup = 1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--url" -> url = args[i + 1];
        case "--messages" -> messages = WholeNumbers.parse("--messages", args[i + 1], messages, 1);
        case "--size" -> size = WholeNumbers.parse("--size", args[i + 1], size, 1);
        case "--slow-rate" -> slowRate = WholeNumbers.parse("--slow-rate", args[i + 1], slowRate, 1);
        case "--rounds" -> rounds = WholeNumbers.parse("--rounds", args[i + 1], rounds, 1);
        case "--warmup-rounds" ->
            warmup = WholeNumbers.parse("--warmup-rounds", args[i + 1], warmup, 0);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    new IsolationBench(URI.create(url), messages, size, slowRate).run(warmup, rounds);
  }

  private void run(int warmup, int rounds) throws Exception {
    out.printf("isolation: %d messages of ~%d bytes per run, slow reader at %d msgs/s, %d rounds"
        + " after %d warm-up rounds%n", messages, size, slowRate, rounds, warmup);
    out.printf("load average before: %s%n", PlainRequests.loadAverage());
    List<Double> alone = new ArrayList<>();
    List<Double> beside = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (int r = -warmup; r < rounds; r++) {
      String topic = "iso-" + UUID.randomUUID().toString().substring(0, 8);
      put("/v1/topics/" + topic, "{\"partitions\":3}");
      publishBacklog(topic);
      boolean aloneFirst = Math.floorMod(r, 2) == 0;
      double[] rates = new double[2];
      for (int k = 0; k < 2; k++) {
        boolean withSlow = (k == 0) != aloneFirst;
        double rate = fastRead(topic, withSlow);
        rates[withSlow ? 1 : 0] = rate;
        out.printf("%s %d: fast reader %s: %.0f msgs/s%n", r < 0 ? "warm-up" : "round",
            r < 0 ? r + warmup + 1 : r + 1, withSlow ? "beside a slow one" : "alone", rate);
      }
      if (r >= 0) {
        alone.add(rates[0]);
        beside.add(rates[1]);
        ratios.add(rates[1] / rates[0]);
      }
      delete("/v1/topics/" + topic);
    }
    double a = PlainRequests.median(alone);
    double b = PlainRequests.median(beside);
    out.printf("fast reader, median: alone %.0f msgs/s, beside a slow reader %.0f msgs/s (%.1f%%);"
        + " median of the rounds' beside/alone ratios %.2f%n", a, b, 100.0 * (b - a) / a,
        PlainRequests.median(ratios));
    out.printf("load average after: %s%n", PlainRequests.loadAverage());
  }

  /** Times one subscription reading the whole backlog, with a slow subscription beside it or not. */
  private double fastRead(String topic, boolean withSlow) throws Exception {
    String fast = topic + "-fast-" + UUID.randomUUID().toString().substring(0, 4);
    put("/v1/subscriptions/" + fast, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}");
    SseConsumer slow = null;
    if (withSlow) {
      String slowSub = topic + "-slow-" + UUID.randomUUID().toString().substring(0, 4);
      put("/v1/subscriptions/" + slowSub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}");
      long pause = TimeUnit.SECONDS.toNanos(1) / slowRate;
      long[] next = {0};
      slow = new SseConsumer(base.resolve("/v1/subscriptions/" + slowSub + "/events"), d -> {
        // Read one event, then wait for the next slot: the client's pace backs up its stream.
        long now = System.nanoTime();
        next[0] = Math.max(next[0] + pause, now);
        long wait = next[0] - now;
        if (wait > 0) {
          try {
            TimeUnit.NANOSECONDS.sleep(wait);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }, out);
      slow.start();
      slow.awaitConnected(Duration.ofSeconds(10));
      Thread.sleep(1000); // the slow reader is lagging before the fast one starts
    }
    BitSet seen = new BitSet(messages);
    AtomicInteger distinct = new AtomicInteger();
    CountDownLatch all = new CountDownLatch(1);
    SseConsumer reader = new SseConsumer(base.resolve("/v1/subscriptions/" + fast + "/events"),
        d -> {
          if (d.seq() >= 0 && d.seq() < messages && !seen.get((int) d.seq())) {
            seen.set((int) d.seq());
            if (distinct.incrementAndGet() == messages) {
              all.countDown();
            }
          }
        }, out);
    long start = System.nanoTime();
    reader.start();
    boolean done = all.await(READ_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
    long elapsed = System.nanoTime() - start;
    reader.stop();
    if (slow != null) {
      slow.stop();
    }
    if (!done) {
      throw new IllegalStateException("the fast reader got " + distinct.get() + " of " + messages);
    }
    return messages / (elapsed / 1e9);
  }

  private void publishBacklog(String topic) throws Exception {
    String pad = "x".repeat(Math.max(0, size - 60));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> sent = new ArrayList<>();
      for (int from = 0; from < messages; from += BATCH) {
        int first = from;
        sent.add(pool.submit(() -> {
          StringBuilder b = new StringBuilder(BATCH * (size + 40)).append("{\"messages\":[");
          for (int i = first; i < Math.min(messages, first + BATCH); i++) {
            b.append(i > first ? "," : "").append("{\"id\":\"m-").append(i)
                .append("\",\"data\":{\"seq\":").append(i).append(",\"sentNanos\":0,\"pad\":\"")
                .append(pad).append("\"}}");
          }
          requests.send("POST", "/v1/topics/" + topic + "/messages", b.append("]}").toString());
          return null;
        }));
      }
      for (Future<?> f : sent) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private void put(String path, String body) {
    requests.send("PUT", path, body);
  }

  private void delete(String path) {
    requests.send("DELETE", path, null);
  }






}
