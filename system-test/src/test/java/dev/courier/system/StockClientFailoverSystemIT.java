package dev.courier.system;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.courier.client.HttpAnswer;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Failover as users' clients see it: three real nodes behind a round-robin TCP load balancer,
 * one subscription read by a stock browser-style EventSource (the npm {@code eventsource}
 * package, which stops for good on any non-200 answer) and one read by a WebSocket consumer that
 * acks and reconnects only when its socket closes; both reconnect through the balancer, so they
 * land on any live node. Producers publish with ids and retry.
 *
 * <p>Three SIGKILLs, each node restarted before the next kill and more traffic in between: first
 * the EventSource's node, then the WebSocket consumer's, then a node that hosts a subscription
 * but no client connection (else the SSE subscription's host). Both clients must receive every message whose publish was answered
 * 200 (repeats are allowed if they say so with {@code deliveryAttempt} > 1), the EventSource must
 * never reach CLOSED, every WebSocket upgrade must succeed, the server may close a socket only
 * with 1001 or 1013, a socket may end without a close frame only when its node died, and no
 * message whose ack was confirmed comes again. Prints each kill's resume times, repeats and what
 * the clients did.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StockClientFailoverSystemIT {
  private static final int NODES = 3;
  private static final int PRODUCERS = 6;
  private static final int PER_PRODUCER = 1500;
  private static final int BATCH = 10;
  private static final long PAUSE_MILLIS = 800;
  /** Distinct messages each client gets before the first kill and between a restart and a kill. */
  private static final int TRAFFIC_BETWEEN_KILLS = 1000;
  /** Victims when the preferred one (a client's node, a subscription's host) is not known. */
  private static final int[] DEFAULT_VICTIMS = {2, 1, 3};
  /** A socket that ends without a close frame this soon after its node was killed: the kill. */
  private static final long DROP_AFTER_KILL_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final Set<Integer> SERVER_CLOSE_CODES = Set.of(1001, 1013);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String topic = "stock-" + UUID.randomUUID().toString().substring(0, 8);
  private final Set<String> published = ConcurrentHashMap.newKeySet();
  private final Tally sse = new Tally("sse");
  private final Tally ws = new Tally("ws");
  private final ClientLog log = new ClientLog();
  /** Clients that did not deliver again after a kill: later waits no longer wait for them. */
  private final Set<Tally> stalled = ConcurrentHashMap.newKeySet();
  private final List<String> problems = new ArrayList<>();
  private final List<Kill> kills = new ArrayList<>();
  private StockSseClient sseClient;
  private ReconnectOnCloseWsConsumer wsConsumer;

  /** One SIGKILL: whom, why, when, and when the node was started again. */
  private static final class Kill {
    final int node;
    final String why;
    final int publishedBefore;
    long killedAt;
    long restartedAt;

    Kill(int node, String why, int publishedBefore) {
      this.node = node;
      this.why = why;
      this.publishedBefore = publishedBefore;
    }
  }

  @Test
  void stockClientsBehindALoadBalancerGetEveryMessageAcrossThreeKills() throws Exception {
    StockSseClient.install();
    LocalCluster cluster = new LocalCluster(LocalCluster.repositoryRoot(), LocalCluster.stateDir());
    List<Thread> producerThreads = new ArrayList<>();
    List<Producer> producers = new ArrayList<>();
    try (cluster;
        RoundRobinProxy sseProxy = RoundRobinProxy.forCluster(
            "sse-lb", NODES, LocalCluster.HTTP_BASE, 1, 16);
        RoundRobinProxy wsProxy = RoundRobinProxy.forCluster(
            "ws-lb", NODES, LocalCluster.HTTP_BASE, 2, 16)) {
      cluster.start(NODES);
      String base = cluster.url(1);
      created(LocalCluster.HTTP.request("PUT", base + "/v1/topics/" + topic, "{\"partitions\":6}"));
      for (String sub : List.of("-sse", "-ws")) {
        created(LocalCluster.HTTP.request("PUT", base + "/v1/subscriptions/" + topic + sub,
            "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}"));
      }
      try {
        sseClient = StockSseClient.open(
            sseProxy.url() + "/v1/subscriptions/" + topic + "-sse/events", sse, log);
        wsConsumer = new ReconnectOnCloseWsConsumer(wsProxy.url(), topic + "-ws", ws, log,
            () -> edge(wsProxy));
        daemon(wsConsumer, "ws-consumer");
        for (int p = 0; p < PRODUCERS; p++) {
          Producer producer = new Producer(p, PER_PRODUCER, BATCH, PAUSE_MILLIS, NODES,
              cluster::url, topic, published);
          producers.add(producer);
          producerThreads.add(daemon(producer, "producer-" + p));
        }

        Map<Tally, Integer> baseline = Map.of(sse, 0, ws, 0);
        for (int k = 0; k < DEFAULT_VICTIMS.length; k++) {
          Map<Tally, Integer> from = baseline;
          awaitLive(t -> t.distinct() >= from.get(t) + TRAFFIC_BETWEEN_KILLS, 120,
              "more traffic before kill " + (k + 1));
          Kill kill = chooseVictim(k, cluster, sseProxy, wsProxy);
          kills.add(kill);
          kill.killedAt = System.nanoTime();
          cluster.kill(kill.node);
          // Past the first second nothing sent before the kill can still be arriving.
          long after = kill.killedAt + TimeUnit.SECONDS.toNanos(1);
          for (Tally t : List.of(sse, ws)) {
            if (live(t) && !await(() -> !live(t) || t.lastArrival() > after, 90)) {
              stalled.add(t);
              problems.add(t.name + " received nothing for 90 s after node " + kill.node
                  + " was killed");
            }
          }
          kill.restartedAt = System.nanoTime();
          cluster.startNode(kill.node);
          baseline = Map.of(sse, sse.distinct(), ws, ws.distinct());
        }

        for (Thread t : producerThreads) {
          t.join(TimeUnit.MINUTES.toMillis(5));
        }
        if (!await(() -> published.size() == PRODUCERS * PER_PRODUCER, 60)) {
          problems.add("only " + published.size() + " of " + PRODUCERS * PER_PRODUCER
              + " publishes were answered 200");
        }
        awaitLive(t -> t.hasAll(published), 180, "every published message");
      } finally {
        report(producers, sseProxy, wsProxy);
        if (sseClient != null) {
          sseClient.close();
        }
        if (wsConsumer != null) {
          wsConsumer.stop();
        }
        producerThreads.forEach(Thread::interrupt);
        for (String sub : List.of("-sse", "-ws")) {
          quietly(() -> LocalCluster.HTTP.request(
              "DELETE", cluster.url(1) + "/v1/subscriptions/" + topic + sub, null));
        }
        quietly(() -> LocalCluster.HTTP.request("DELETE",
            cluster.url(1) + "/v1/topics/" + topic, null));
      }
    }
    checkGuarantees();
    assertEquals(List.of(), problems, "what stock clients behind a load balancer met");
  }

  /**
   * The first kill takes the EventSource's node, the second the WebSocket consumer's, the third a
   * node hosting a subscription but no client connection (so the clients' own nodes live while
   * their subscriptions move), else the SSE subscription's host; each falls back to
   * {@link #DEFAULT_VICTIMS} when not known.
   */
  private Kill chooseVictim(int k, LocalCluster cluster, RoundRobinProxy sseProxy,
      RoundRobinProxy wsProxy) {
    int sseEdge = edge(sseProxy);
    int wsEdge = edge(wsProxy);
    Map<String, Integer> hosts = new LinkedHashMap<>();
    for (String sub : List.of("sse", "ws")) {
      hosts.put(sub, host(cluster, topic + "-" + sub));
    }
    String where = "EventSource on node " + sseEdge + ", WebSocket on node " + wsEdge
        + ", subscriptions hosted " + hosts;
    int node = -1;
    String why = "";
    if (k == 0) {
      node = sseEdge;
      why = "the EventSource's node";
    } else if (k == 1) {
      node = wsEdge;
      why = "the WebSocket consumer's node";
    } else {
      for (Map.Entry<String, Integer> h : hosts.entrySet()) {
        if (h.getValue() > 0 && h.getValue() != sseEdge && h.getValue() != wsEdge) {
          node = h.getValue();
          why = "hosts the " + h.getKey() + " subscription, no client connected there";
          break;
        }
      }
      if (node < 1) {
        node = hosts.get("sse");
        why = "hosts the sse subscription (every host had a client connected)";
      }
    }
    if (node < 1) {
      node = DEFAULT_VICTIMS[k];
      why = "the default victim";
    }
    return new Kill(node, why + "; " + where, published.size());
  }

  /** The node the balancer connected its one open connection to, or -1 if not exactly one. */
  private static int edge(RoundRobinProxy proxy) {
    List<Integer> ports = proxy.backendPortsInUse();
    return ports.size() == 1 ? ports.get(0) - LocalCluster.HTTP_BASE : -1;
  }

  /** The node hosting a subscription, from its state's remoting address; -1 if unknown. */
  private static int host(LocalCluster cluster, String subscription) {
    try {
      var r = LocalCluster.HTTP.request("GET",
          cluster.url(1) + "/v1/subscriptions/" + subscription, null);
      String node = JSON.readTree(r.body()).path("node").asText();
      return Integer.parseInt(node.substring(node.lastIndexOf(':') + 1)) - LocalCluster.REMOTE_BASE;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** A client still running: not closed for good, not given up, not stalled. */
  private boolean live(Tally t) {
    if (stalled.contains(t)) {
      return false;
    }
    if (t == sse) {
      return sseClient != null && sseClient.closedBecause() == null;
    }
    return wsConsumer != null && wsConsumer.gaveUpBecause() == null;
  }

  /** Waits until every live client meets {@code condition}; one that does not is recorded. */
  private void awaitLive(Predicate<Tally> condition, int seconds, String what) {
    await(() -> List.of(sse, ws).stream().allMatch(t -> !live(t) || condition.test(t)), seconds);
    for (Tally t : List.of(sse, ws)) {
      if (live(t) && !condition.test(t)) {
        stalled.add(t);
        problems.add(t.name + " timed out after " + seconds + " s waiting for " + what);
      }
    }
  }

  private void checkGuarantees() {
    if (sseClient.closedBecause() != null) {
      problems.add("the EventSource " + sseClient.closedBecause());
    }
    if (wsConsumer.gaveUpBecause() != null) {
      problems.add("the WebSocket consumer gave up: " + wsConsumer.gaveUpBecause());
    }
    for (ReconnectOnCloseWsConsumer.FailedUpgrade f : wsConsumer.failedUpgrades) {
      problems.add("a WebSocket upgrade failed " + sinceKill(f.atNanos()) + ": "
          + (f.status() > 0 ? "HTTP " + f.status() : f.error()));
    }
    for (ReconnectOnCloseWsConsumer.Ended e : wsConsumer.ended) {
      if (e.code() >= 0 && !SERVER_CLOSE_CODES.contains(e.code())) {
        problems.add("the server closed a WebSocket with " + e.code()
            + (e.reason().isEmpty() ? "" : " (" + e.reason() + ")") + " "
            + sinceKill(e.atNanos()) + "; 1001 or 1013 expected");
      } else if (e.code() < 0 && !explainedByKill(e)) {
        problems.add("a WebSocket on node " + e.node() + " ended without a close frame "
            + sinceKill(e.atNanos()) + " though its node was not killed: " + e.reason());
      }
    }
    for (Tally t : List.of(sse, ws)) {
      long missing = t.countMissing(published);
      if (missing > 0) {
        problems.add(t.name + " lost " + missing + " of " + published.size()
            + " published messages, e.g. " + t.missing(published));
      }
      if (!t.storedTwice().isEmpty()) {
        problems.add(t.name + ": ids stored twice " + t.storedTwice());
      }
    }
    sseClient.violations.forEach(v -> problems.add("sse: " + v));
    wsConsumer.violations.forEach(v -> problems.add("ws: " + v));
  }

  private boolean explainedByKill(ReconnectOnCloseWsConsumer.Ended e) {
    return kills.stream().anyMatch(k -> (e.node() == k.node || e.node() < 0)
        && e.atNanos() >= k.killedAt && e.atNanos() - k.killedAt <= DROP_AFTER_KILL_NANOS);
  }

  /** "2.345 s after node 2 was killed", or "before the first kill". */
  private String sinceKill(long atNanos) {
    Kill last = null;
    for (Kill k : kills) {
      if (k.killedAt <= atNanos) {
        last = k;
      }
    }
    return last == null ? "before the first kill"
        : String.format("%.3f s after node %d was killed", (atNanos - last.killedAt) / 1e9,
            last.node);
  }

  private void report(List<Producer> producers, RoundRobinProxy sseProxy,
      RoundRobinProxy wsProxy) {
    long end = System.nanoTime();
    for (int i = 0; i < kills.size(); i++) {
      Kill k = kills.get(i);
      long until = i + 1 < kills.size() ? kills.get(i + 1).killedAt : end;
      long restarted = k.restartedAt > 0 ? k.restartedAt : until;
      StringBuilder line = new StringBuilder("stock clients: kill node " + k.node + " (" + k.why
          + "), " + k.publishedBefore + " published before it:");
      for (Tally t : List.of(sse, ws)) {
        long resume = t.resumeMillis(k.killedAt, restarted);
        boolean since = t.lastArrival() > k.killedAt;
        line.append(' ').append(t.name)
            .append(!since ? " received nothing since"
                : resume < 0 ? " uninterrupted" : " received again after " + resume + " ms")
            .append(", ").append(t.repeatsBetween(k.killedAt, until)).append(" repeats;");
      }
      System.out.println(line);
      for (String entry : log.between(k.killedAt, until)) {
        System.out.println("stock clients:   " + entry);
      }
    }
    int retried = producers.stream().mapToInt(p -> p.retries.get()).sum();
    System.out.println("stock clients: " + published.size() + " of " + PRODUCERS * PER_PRODUCER
        + " published (" + retried + " retried batches); "
        + summary(sse) + "; " + summary(ws)
        + "; the EventSource " + (sseClient == null || sseClient.closedBecause() == null
            ? "never closed" : sseClient.closedBecause())
        + "; WebSocket: " + (wsConsumer == null ? "-" : wsConsumer.failedUpgrades.size()
            + " failed upgrades, endings " + endings() + ", " + wsConsumer.confirmedAcks()
            + " acks confirmed")
        + "; balancer: sse " + sseProxy.accepted() + " connections (" + sseProxy.skipped()
        + " dead-node skips), ws " + wsProxy.accepted() + " (" + wsProxy.skipped() + ")");
  }

  private String summary(Tally t) {
    return t.name + " " + t.distinct() + " distinct, " + t.repeats() + " repeats, "
        + t.countMissing(published) + " missing";
  }

  private List<String> endings() {
    return wsConsumer.ended.stream()
        .map(e -> (e.code() < 0 ? "dropped" : Integer.toString(e.code())) + "@node" + e.node())
        .toList();
  }

  private static void created(HttpAnswer r) {
    assertEquals(201, r.status(), r.body());
  }

  private static Thread daemon(Runnable body, String name) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void quietly(Runnable cleanup) {
    try {
      cleanup.run();
    } catch (RuntimeException e) {
      // best effort: the cluster may be down already
    }
  }

  /** Polls {@code condition} for up to {@code seconds}; whether it came true. */
  private static boolean await(java.util.function.BooleanSupplier condition, int seconds) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
