package dev.courier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What subscription queries cost in the delivery tier. Figures, not a pass/fail test.
 *
 * <p>{@code filter}: a backlog of {@code --messages} messages on a fresh topic is read by
 * {@code --subscriptions} (10) SSE subscriptions at once, with no query and with a filter that
 * passes half the messages ({@code MOD(CAST(data.seq AS BIGINT), 2) = 0}, which parses every
 * message's data), in alternating order each round. Work is positions advanced: a delivery, or a
 * message the filter passed over; it prints each run's positions/s and deliveries/s and each
 * round's filtered/plain ratio of positions/s.
 *
 * <p>{@code aggregation}: one subscription with {@code COUNT(*), SUM(data.seq)} per key (100
 * keys) in 1 s tumbling windows, its rows read over SSE, while {@code --messages} messages are
 * published as fast as the node takes them ({@code --batch} per request, {@code --concurrency} in
 * flight). It samples the subscription's backlog twice a second and prints the largest, the
 * largest in seconds of publishing, each row's delay past its window's end, rows/s, and whether
 * the rows' counts add up to the messages published.
 *
 * <p>{@code courier-bench queries filter|aggregation [--url U] [--messages N] [--size BYTES]
 * [--subscriptions S] [--rounds R] [--warmup-rounds W] [--batch B] [--concurrency C]} (also
 * {@code bench/run.sh queries ...}).
 */
public final class QueryBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration READ_TIMEOUT = Duration.ofMinutes(5);
  private static final String FILTER = "MOD(CAST(data.seq AS BIGINT), 2) = 0";

  private final URI base;
  private final int messages;
  private final int size;
  private final int subscriptions;
  private final int batch;
  private final int concurrency;
  private final PlainRequests requests;
  private final HttpClient http;
  private final PrintStream out;

  private QueryBench(URI base, int messages, int size, int subscriptions, int batch,
      int concurrency, PrintStream out) {
    this.out = out;
    this.base = base;
    this.requests = new PlainRequests(base);
    this.http = requests.client();
    this.messages = messages;
    this.size = size;
    this.subscriptions = subscriptions;
    this.batch = batch;
    this.concurrency = concurrency;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** {@code courier-bench queries filter|aggregation [options]}; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || !(args[0].equals("filter") || args[0].equals("aggregation"))) {
      err.println("usage: courier-bench queries filter|aggregation [--url U] [--messages N]"
          + " [--size BYTES] [--subscriptions S] [--rounds R] [--warmup-rounds W] [--batch B]"
          + " [--concurrency C]");
      return CourierBench.EXIT_USAGE;
    }
    boolean filter = args[0].equals("filter");
    String url = "http://127.0.0.1:8080";
    int messages = filter ? 30_000 : 150_000;
    int size = 1000;
    int subscriptions = 10;
    int rounds = 4;
    int warmup = 1;
    int batch = 50;
    int concurrency = 8;
    try {
      if (args.length % 2 == 0) {
        throw new UsageException("every option takes a value");
      }
      for (int i = 1; i + 1 < args.length; i += 2) {
        String v = args[i + 1];
        switch (args[i]) {
          case "--url" -> url = v;
          case "--messages" -> messages = WholeNumbers.parse("--messages", v, messages, 2);
          case "--size" -> size = WholeNumbers.parse("--size", v, size, 1);
          case "--subscriptions" ->
              subscriptions = WholeNumbers.parse("--subscriptions", v, subscriptions, 1);
          case "--rounds" -> rounds = WholeNumbers.parse("--rounds", v, rounds, 1);
          case "--warmup-rounds" -> warmup = WholeNumbers.parse("--warmup-rounds", v, warmup, 0);
          case "--batch" -> batch = WholeNumbers.parse("--batch", v, batch, 1);
          case "--concurrency" ->
              concurrency = WholeNumbers.parse("--concurrency", v, concurrency, 1);
          default -> throw new UsageException("unknown option " + args[i]);
        }
      }
      if (!LoopbackCheck.isLoopback(URI.create(url))) {
        throw new UsageException("the query bench talks to loopback nodes only, not " + url);
      }
    } catch (UsageException | IllegalArgumentException e) {
      err.println("courier-bench queries: " + e.getMessage());
      return CourierBench.EXIT_USAGE;
    }
    QueryBench bench = new QueryBench(URI.create(url), messages, size, subscriptions, batch,
        concurrency, out);
    try {
      if (filter) {
        bench.filter(warmup, rounds);
      } else {
        bench.aggregation();
      }
      return CourierBench.EXIT_OK;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CourierBench.EXIT_ABORTED;
    } catch (Exception e) {
      err.println("courier-bench queries: " + e.getMessage());
      return CourierBench.EXIT_FAILED_RUN;
    }
  }

  // ---- filter cost ----

  private void filter(int warmup, int rounds) throws Exception {
    out.printf("filter: %d messages of ~%d bytes, %d SSE subscriptions, no query vs WHERE %s;"
        + " %d rounds after %d warm-up rounds%n", messages, size, subscriptions, FILTER, rounds,
        warmup);
    out.printf("load average before: %s%n", PlainRequests.loadAverage());
    List<Double> plain = new ArrayList<>();
    List<Double> filtered = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (int r = -warmup; r < rounds; r++) {
      String topic = "qb-" + UUID.randomUUID().toString().substring(0, 8);
      requests.send("PUT", "/v1/topics/" + topic, "{\"partitions\":3}");
      publish(topic, messages);
      boolean plainFirst = Math.floorMod(r, 2) == 0;
      double[] rates = new double[2];
      for (int k = 0; k < 2; k++) {
        boolean withFilter = (k == 0) != plainFirst;
        double[] rate = fanOut(topic, withFilter);
        rates[withFilter ? 1 : 0] = rate[0];
        out.printf("%s %d: %s: %.0f positions/s, %.0f deliveries/s%n",
            r < 0 ? "warm-up" : "round", r < 0 ? r + warmup + 1 : r + 1,
            withFilter ? "filter (half pass)" : "no query", rate[0], rate[1]);
      }
      if (r >= 0) {
        plain.add(rates[0]);
        filtered.add(rates[1]);
        ratios.add(rates[1] / rates[0]);
        out.printf("round %d: filtered/plain %.2f%n", r + 1, rates[1] / rates[0]);
      }
      requests.send("DELETE", "/v1/topics/" + topic, null);
    }
    out.printf("median positions/s: no query %.0f, filter %.0f; median of the rounds' ratios %.2f"
        + " (rounds: %s)%n", PlainRequests.median(plain), PlainRequests.median(filtered),
        PlainRequests.median(ratios),
        String.join(", ", ratios.stream().map(x -> String.format("%.2f", x)).toList()));
    out.printf("load average after: %s%n", PlainRequests.loadAverage());
  }

  /**
   * Reads the whole backlog with every subscription at once; {positions/s, deliveries/s} summed
   * over them, timed from the first stream opened until each subscription has its last message
   * and has advanced over the whole log.
   */
  private double[] fanOut(String topic, boolean withFilter) throws Exception {
    String query = withFilter ? ",\"query\":" + JSON.writeValueAsString(
        "SELECT * FROM \"" + topic + "\" WHERE " + FILTER) : "";
    long expected = withFilter ? (messages + 1) / 2 : messages;
    List<String> subs = new ArrayList<>();
    for (int s = 0; s < subscriptions; s++) {
      String sub = topic + (withFilter ? "-f" : "-p") + s;
      requests.send("PUT", "/v1/subscriptions/" + sub,
          "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"" + query + "}");
      subs.add(sub);
    }
    List<SseConsumer> readers = new ArrayList<>();
    List<AtomicLong> counts = new ArrayList<>();
    List<String> wrong = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    for (String sub : subs) {
      AtomicLong count = new AtomicLong();
      counts.add(count);
      SseConsumer reader = new SseConsumer(base.resolve("/v1/subscriptions/" + sub + "/events"),
          d -> {
            if (withFilter && d.seq() % 2 != 0) {
              wrong.add(d.id());
            }
            count.incrementAndGet();
          }, out);
      readers.add(reader);
      reader.start();
    }
    long deadline = start + READ_TIMEOUT.toNanos();
    while (counts.stream().anyMatch(c -> c.get() < expected) || !allAdvanced(subs)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the subscriptions did not get through the backlog: "
            + counts);
      }
      TimeUnit.MILLISECONDS.sleep(5);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    for (SseConsumer reader : readers) {
      reader.stop();
    }
    for (String sub : subs) {
      requests.send("DELETE", "/v1/subscriptions/" + sub, null);
    }
    if (!wrong.isEmpty()) {
      throw new IllegalStateException("the filter passed odd seqs: " + wrong.subList(0, 5));
    }
    long delivered = counts.stream().mapToLong(AtomicLong::get).sum();
    return new double[] {(double) subscriptions * messages / seconds, delivered / seconds};
  }

  /** Every subscription has looked at every message (its backlog is 0). */
  private boolean allAdvanced(List<String> subs) throws Exception {
    for (String sub : subs) {
      if (state(sub).path("backlog").asLong(-1) != 0) {
        return false;
      }
    }
    return true;
  }

  // ---- aggregation keep-up ----

  private void aggregation() throws Exception {
    String topic = "qa-" + UUID.randomUUID().toString().substring(0, 8);
    String sub = topic + "-agg";
    requests.send("PUT", "/v1/topics/" + topic, "{\"partitions\":3}");
    requests.send("PUT", "/v1/subscriptions/" + sub, "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\","
        + "\"query\":" + JSON.writeValueAsString("SELECT key, COUNT(*), SUM(data.seq) FROM \""
        + topic + "\" GROUP BY key, TUMBLE(publishTime, INTERVAL '1' SECOND)") + "}");
    out.printf("aggregation: %d messages of ~%d bytes, %d keys, batches of %d, %d in flight,"
        + " COUNT and SUM per key in 1 s tumbling windows, rows over SSE%n", messages, size, 100,
        batch, concurrency);
    out.printf("load average before: %s%n", PlainRequests.loadAverage());
    RowReader rows = new RowReader(sub);
    Thread reading = new Thread(rows, "rows");
    reading.setDaemon(true);
    reading.start();

    List<long[]> samples = new CopyOnWriteArrayList<>(); // {nanos, backlog}
    Thread sampling = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          samples.add(new long[] {System.nanoTime(), state(sub).path("backlog").asLong()});
          TimeUnit.MILLISECONDS.sleep(500);
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          // a missed sample
        }
      }
    }, "backlog");
    sampling.setDaemon(true);
    sampling.start();

    PublishOutcome published = publish(topic, messages);
    long publishedAt = System.nanoTime();
    long acked = published.acknowledged().cardinality();
    double publishSeconds = (published.lastAckNanos() - published.firstSendNanos()) / 1e9;
    double rate = acked / publishSeconds;
    long deadline = publishedAt + TimeUnit.SECONDS.toNanos(60);
    while (rows.counted.get() < acked && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(50);
    }
    double drain = (System.nanoTime() - publishedAt) / 1e9;
    sampling.interrupt();
    rows.stop();

    long maxBacklog = 0;
    long maxLate = 0; // in the second half of publishing
    long half = published.firstSendNanos() + (publishedAt - published.firstSendNanos()) / 2;
    for (long[] s : samples) {
      if (s[0] <= publishedAt) {
        maxBacklog = Math.max(maxBacklog, s[1]);
        if (s[0] >= half) {
          maxLate = Math.max(maxLate, s[1]);
        }
      }
    }
    List<Long> lags = new ArrayList<>(rows.lagMillisDuringPublishing(publishedAt));
    lags.sort(null);
    double backlogSeconds = maxBacklog / rate;
    boolean bounded = maxLate / rate < 3 && !lags.isEmpty() && percentile(lags, 0.99) < 3000;
    out.printf("published %d in %.1f s: %.0f msgs/s (%d errors)%n", acked, publishSeconds, rate,
        published.errors());
    out.printf("rows: %d (%.0f rows/s while publishing), counting %d of %d messages; all counted"
        + " %.1f s after the last publish%n", rows.rows.get(),
        rows.rowsBefore(publishedAt) / publishSeconds, rows.counted.get(), acked, drain);
    out.printf("backlog: largest %d (%.2f s of publishing), largest in the second half %d (%.2f s)"
        + "; %d samples%n", maxBacklog, backlogSeconds, maxLate, maxLate / rate, samples.size());
    if (!lags.isEmpty()) {
      out.printf("row delay past its window's end (windows closed while publishing): p50 %d ms,"
          + " p99 %d ms, max %d ms%n", percentile(lags, 0.5), percentile(lags, 0.99),
          lags.get(lags.size() - 1));
    }
    out.printf("keeps up: %s (backlog in the second half under 3 windows of publishing and row"
        + " delay p99 under 3 s); rows count every message: %s%n", bounded ? "yes" : "NO",
        rows.counted.get() == acked);
    out.printf("load average after: %s%n", PlainRequests.loadAverage());
    requests.send("DELETE", "/v1/subscriptions/" + sub, null);
    requests.send("DELETE", "/v1/topics/" + topic, null);
    if (rows.counted.get() != acked) {
      throw new IllegalStateException("the rows counted " + rows.counted.get() + " of " + acked
          + " messages published");
    }
  }

  /** Reads the aggregation's rows over SSE with the JDK client (about 100 a second). */
  private final class RowReader implements Runnable {
    private final String sub;
    final AtomicLong rows = new AtomicLong();
    final AtomicLong counted = new AtomicLong();
    /** {arrival nanos, arrival wall millis, windowEnd millis} per row. */
    private final List<long[]> arrivals = new CopyOnWriteArrayList<>();
    private volatile InputStream open;
    private volatile boolean running = true;

    RowReader(String sub) {
      this.sub = sub;
    }

    @Override
    public void run() {
      String lastEventId = null;
      while (running) {
        try {
          HttpRequest.Builder request = HttpRequest.newBuilder(
              base.resolve("/v1/subscriptions/" + sub + "/events"));
          if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
          }
          HttpResponse<InputStream> r =
              http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
          open = r.body();
          try (BufferedReader in = new BufferedReader(
              new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            while (running && (line = in.readLine()) != null) {
              if (line.startsWith("id:")) {
                lastEventId = line.substring(3).trim();
              } else if (line.startsWith("data:")) {
                JsonNode data = JSON.readTree(line.substring(5)).path("data");
                if (data.has("windowEnd")) {
                  arrivals.add(new long[] {System.nanoTime(), System.currentTimeMillis(),
                      Instant.parse(data.get("windowEnd").asText()).toEpochMilli()});
                  rows.incrementAndGet();
                  counted.addAndGet(data.path("count").asLong());
                }
              }
            }
          }
        } catch (Exception e) {
          if (!running) {
            return;
          }
        }
      }
    }

    long rowsBefore(long nanos) {
      return arrivals.stream().filter(a -> a[0] <= nanos).count();
    }

    List<Long> lagMillisDuringPublishing(long untilNanos) {
      return arrivals.stream().filter(a -> a[0] <= untilNanos).map(a -> a[1] - a[2]).toList();
    }

    void stop() {
      running = false;
      try {
        InputStream in = open;
        if (in != null) {
          in.close();
        }
      } catch (Exception ignored) {
        // closing is all that is wanted
      }
    }
  }

  // ---- shared ----

  private PublishOutcome publish(String topic, int count) throws InterruptedException {
    Publisher publisher = new Publisher(base.resolve("/v1/topics/" + topic + "/messages"),
        new MessageFactory(MessageFactory.MEASURED_PREFIX, size, true), batch, concurrency,
        new RatePacer(0), System.err);
    PublishOutcome outcome = publisher.publish(count);
    if (outcome.fatal() != null || outcome.unacknowledged() > 0) {
      throw new IllegalStateException("publishing failed: " + outcome.fatal() + ", "
          + outcome.unacknowledged() + " unacknowledged");
    }
    return outcome;
  }

  private JsonNode state(String sub) throws Exception {
    return JSON.readTree(requests.send("GET", "/v1/subscriptions/" + sub, null));
  }



  private static long percentile(List<Long> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
  }




}
