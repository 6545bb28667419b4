package dev.courier.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.client.HttpAnswer;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An aggregation subscription on three real node processes: TUMBLE windows of 2 s, COUNT and SUM
 * per key, read over a WebSocket with acks while producers publish through every node. The node
 * hosting the subscription is SIGKILLed in the middle of a window and not restarted; the consumer
 * reconnects through the next node. Every closed window's rows must arrive once (a repeat only as
 * a redelivery of the same row, never after its ack was confirmed), and equal the reference the
 * test computes from the publish answers: each message counted in the window of its
 * {@code publishTime}.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AggregationFailoverSystemIT {
  private static final int NODES = 3;
  private static final long WINDOW_MILLIS = 2000;
  private static final int PORT_OFFSET = 40;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void closedWindowsAreDeliveredExactlyOnceAcrossTheHostsSigkill() throws Exception {
    String topic = "aggfail-" + UUID.randomUUID().toString().substring(0, 8);
    String sub = topic + "-agg";
    String sql = "SELECT key, COUNT(*), SUM(data.seq) FROM \"" + topic + "\""
        + " GROUP BY key, TUMBLE(publishTime, INTERVAL '2' SECOND)";
    int producers = 6;
    int perProducer = 900;
    Set<String> published = ConcurrentHashMap.newKeySet();
    Map<String, JsonNode> answers = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    // Ports of its own: other system tests' clusters may run on this host at the same time.
    try (LocalCluster cluster = new LocalCluster(
        LocalCluster.repositoryRoot(), LocalCluster.stateDir(), List.of(), PORT_OFFSET)) {
      long starting = System.nanoTime();
      cluster.start(NODES);
      long began = System.nanoTime();
      String base = cluster.url(1);
      created(LocalCluster.HTTP.request("PUT", base + "/v1/topics/" + topic, "{\"partitions\":3}"));
      created(LocalCluster.HTTP.request("PUT", base + "/v1/subscriptions/" + sub,
          "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"ackDeadline\":\"PT10S\","
              + "\"query\":" + JSON.writeValueAsString(sql) + "}"));
      int host = hostOf(cluster, sub, 1);
      // The consumer starts on the host, so the kill also cuts its socket.
      RowWsReader reader = new RowWsReader(cluster::url, NODES, host, sub, "key");
      threads.add(daemon(reader));
      for (int p = 0; p < producers; p++) {
        threads.add(daemon(new Producer(p, perProducer, 20, 200, NODES, cluster::url, topic,
            published, result -> answers.put(result.get("id").asText(), result))));
      }
      try {
        // Rows of a few windows first: the aggregation runs before the kill.
        await(() -> reader.rows.size() >= 3 * producers, 60,
            () -> "rows of three windows before the kill; so far " + reader.rows.size());
        awaitMidWindow();
        int victim = hostOf(cluster, sub, host % NODES + 1);
        long killedAt = System.nanoTime();
        cluster.kill(victim);
        int rowsAtKill = reader.rows.size();
        for (Thread t : threads.subList(1, threads.size())) {
          t.join(TimeUnit.MINUTES.toMillis(2));
        }
        await(() -> published.size() == producers * perProducer, 60,
            () -> "every publish answered 200; " + published.size());
        long publishedAt = System.nanoTime();

        Map<String, long[]> expected = reference(answers.values());
        // Every window has closed by wall time PT5S after its end; give failover its time too.
        await(() -> reader.rows.size() >= expected.size(), 60,
            () -> "rows of every window: " + reader.rows.size() + " of " + expected.size()
                + ", " + reader.describe());
        int live = victim % NODES + 1;
        // Every row acked and the acks recorded: nothing is left that could still come.
        await(() -> stateOrNull(cluster, sub, live) != null
            && stateOrNull(cluster, sub, live).path("acked").asLong() >= expected.size()
            && stateOrNull(cluster, sub, live).path("backlog").asLong() == 0, 60,
            () -> "every row acked: " + stateOrNull(cluster, sub, live));
        JsonNode state = state(cluster, sub, live);
        System.out.println("aggregation failover: node " + victim + " (the host) killed "
            + "mid-window after " + rowsAtKill + " rows; " + published.size() + " published in "
            + TimeUnit.NANOSECONDS.toSeconds(publishedAt - began) + " s; " + expected.size()
            + " rows expected, " + reader.rows.size() + " received, " + reader.redeliveries.get()
            + " redelivered, " + reader.reconnects.get() + " reconnects; first row after the kill "
            + TimeUnit.NANOSECONDS.toMillis(reader.tally.firstArrivalAfter(killedAt) - killedAt)
            + " ms; state late " + state.path("late") + ", acked " + state.path("acked")
            + "; cluster started in " + TimeUnit.NANOSECONDS.toSeconds(began - starting)
            + " s, the test after it took " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - began)
            + " s");

        assertEquals(List.of(), reader.violations, "rows repeated or recomputed");
        assertEquals(expected.size(), state.path("acked").asLong(), "each row acked once");
        assertEquals(0, state.path("late").asLong(), "no message came after its window closed");
        Map<String, String> got = new TreeMap<>();
        reader.rows.forEach((group, f) -> got.put(group, f.data().get("count").asLong()
            + " / " + f.data().get("sum_seq").asLong()));
        Map<String, String> want = new TreeMap<>();
        expected.forEach((group, v) -> want.put(group, v[0] + " / " + v[1]));
        assertEquals(want, got, "each window's count / sum per key, as the publish answers give");
        long counted = expected.values().stream().mapToLong(v -> v[0]).sum();
        assertEquals(producers * perProducer, counted, "every message in one window");
      } finally {
        reader.stop();
        threads.forEach(Thread::interrupt);
        quietly(() -> LocalCluster.HTTP.request("DELETE",
            cluster.url(anyLive(cluster)) + "/v1/subscriptions/"
            + sub, null));
        quietly(() -> LocalCluster.HTTP.request("DELETE",
            cluster.url(anyLive(cluster)) + "/v1/topics/"
            + topic, null));
      }
    }
  }

  /**
   * PRODUCT.md's rule, from the publish answers: a message belongs to the 2 s window (aligned to
   * the epoch) holding its publishTime; each window and key gives one row of its count and sum.
   * Keyed "windowStart/key" as the rows are; the value is {count, sum of data.seq}.
   */
  private static Map<String, long[]> reference(Iterable<JsonNode> answers) {
    Map<String, long[]> rows = new TreeMap<>();
    for (JsonNode a : answers) {
      String id = a.get("id").asText();
      long at = Instant.parse(a.get("publishTime").asText()).toEpochMilli();
      long start = Math.floorDiv(at, WINDOW_MILLIS) * WINDOW_MILLIS;
      String producer = id.substring(1, id.indexOf('-'));
      long seq = Long.parseLong(id.substring(id.indexOf('-') + 1));
      long[] row = rows.computeIfAbsent(
          Instant.ofEpochMilli(start) + "/k" + producer, g -> new long[2]);
      row[0]++;
      row[1] += seq;
    }
    return rows;
  }

  /** Waits until the wall clock is in the middle second of a window. */
  private static void awaitMidWindow() throws InterruptedException {
    long into = System.currentTimeMillis() % WINDOW_MILLIS;
    long target = WINDOW_MILLIS / 2 - 200;
    TimeUnit.MILLISECONDS.sleep(into <= target ? target - into : WINDOW_MILLIS - into + target);
  }

  /** The node index hosting the subscription, as node {@code askNode} reports it. */
  private static int hostOf(LocalCluster cluster, String sub, int askNode) throws IOException {
    String node = state(cluster, sub, askNode).path("node").asText();
    int port = Integer.parseInt(node.substring(node.lastIndexOf(':') + 1));
    for (int n = 1; n <= NODES; n++) {
      if (cluster.remotePort(n) == port) {
        return n;
      }
    }
    throw new AssertionError("no node of this cluster is " + node);
  }

  private static JsonNode state(LocalCluster cluster, String sub, int askNode) throws IOException {
    var r = LocalCluster.HTTP.request("GET", cluster.url(askNode) + "/v1/subscriptions/" + sub);
    assertEquals(200, r.status(), r.body());
    return JSON.readTree(r.body());
  }

  private static JsonNode stateOrNull(LocalCluster cluster, String sub, int askNode) {
    try {
      return state(cluster, sub, askNode);
    } catch (IOException | RuntimeException | AssertionError e) {
      return null;
    }
  }

  private static int anyLive(LocalCluster cluster) {
    for (int n = 1; n <= NODES; n++) {
      if (cluster.pid(n).isPresent()
          && ProcessHandle.of(cluster.pid(n).getAsLong()).map(ProcessHandle::isAlive).orElse(false)) {
        return n;
      }
    }
    return 1;
  }

  private static void created(HttpAnswer r) {
    assertEquals(201, r.status(), r.body());
  }

  private static void quietly(Runnable cleanup) {
    try {
      cleanup.run();
    } catch (RuntimeException e) {
      // best effort: the cluster may be down already
    }
  }

  private static Thread daemon(Runnable body) {
    Thread t = new Thread(body);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void await(BooleanSupplier condition, int seconds, Supplier<String> what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline,
          () -> "timed out after " + seconds + " s waiting for " + what.get());
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what.get());
      }
    }
  }
}
