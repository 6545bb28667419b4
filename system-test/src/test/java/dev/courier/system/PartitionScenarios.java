package dev.courier.system;

import dev.courier.client.HttpAnswer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The partition scenarios, run inside a private network namespace by {@link PartitionSystemIT}
 * (through {@code src/test/partition/in-namespace.sh}): Cassandra on 127.0.0.1, three nodes whose
 * remoting listens on 127.0.0.2, 127.0.0.3 and 127.0.0.4, clients on 127.0.0.1. A partition is a
 * pair of iptables DROP rules between two nodes' addresses; each node keeps reaching Cassandra and
 * the clients keep reaching every node's HTTP port, as a load balancer and a database on their own
 * network would.
 *
 * <ol>
 *   <li>Isolate a node that hosts subscriptions, under traffic: it downs itself (its process
 *       exits) and the other two resume its subscriptions.
 *   <li>Isolate the oldest node (shard coordinators, singletons) and heal once the majority has
 *       removed it: one cluster remains and every subscription runs on exactly one node.
 *   <li>SIGSTOP a node that hosts subscriptions for 5 s, then SIGCONT it; then again for 10 s (surely
 *       downed while asleep): whatever it does after waking, no partition gets an offset twice and
 *       no subscription loses an ack.
 * </ol>
 *
 * <p>After each, the node is restarted and every client must have every message published so far,
 * no id stored twice, no log position holding two ids, and no confirmed ack delivered again. Each
 * scenario prints one "partition:" line with what it measured. Exits non-zero on the first
 * failure.
 */
public final class PartitionScenarios {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int NODES = 3;
  /** pekko.cluster.down-removal-margin as the nodes run it (courier-node.conf). */
  private static final java.time.Duration REMOVAL_MARGIN = java.time.Duration.ofMillis(100);
  static final List<String> HOSTS = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");

  private final LocalCluster cluster;
  private final String topic = "partition-" + UUID.randomUUID().toString().substring(0, 8);
  private final Set<String> published = ConcurrentHashMap.newKeySet();
  private final Tally sse = new Tally("sse");
  private final Tally ws = new Tally("ws");
  private final Tally push = new Tally("push");
  private final Tally poll = new Tally("poll");
  private final List<Thread> threads = new ArrayList<>();
  private final List<String> report = new ArrayList<>();
  private WebhookSink sink;
  private WsReader wsReader;
  private PollReader pollReader;
  private SseReader sseReader;
  private int nextProducer;

  private final Path logs;

  private PartitionScenarios(LocalCluster cluster, Path logs) {
    this.cluster = cluster;
    this.logs = logs;
  }

  public static void main(String[] args) throws Exception {
    Path state = Path.of(args[0]);
    Path reportFile = state.resolve("report.txt");
    LocalCluster cluster =
        new LocalCluster(LocalCluster.repositoryRoot(), state.resolve("cluster"), HOSTS);
    PartitionScenarios run = new PartitionScenarios(cluster, state.resolve("cluster"));
    int status = 0;
    try {
      run.start();
      run.isolateAHostingNode();
      run.partitionTheOldestAndHeal();
      run.pauseAHostingNode(5);
      run.pauseAHostingNode(10);
      run.report.add("ok");
    } catch (Throwable e) {
      e.printStackTrace();
      run.report.add("FAILED: " + e);
      run.report.addAll(run.diagnosis());
      status = 1;
    } finally {
      Files.write(reportFile, run.report);
      run.report.forEach(line -> System.out.println("partition: " + line));
      run.stopClients();
      cluster.close();
    }
    System.exit(status);
  }

  private List<Tally> tallies() {
    return List.of(sse, ws, push, poll);
  }

  private void start() throws IOException {
    cluster.start(NODES);
    sink = new WebhookSink(push);
    String base = cluster.url(1);
    created(LocalCluster.HTTP.request("PUT", base + "/v1/topics/" + topic, "{\"partitions\":6}"));
    created(LocalCluster.HTTP.request("PUT", base + "/v1/subscriptions/" + topic + "-sse",
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}"));
    created(LocalCluster.HTTP.request("PUT", base + "/v1/subscriptions/" + topic + "-ws",
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"ordered\":true,"
            + "\"ackDeadline\":\"PT15S\"}"));
    created(LocalCluster.HTTP.request("PUT", base + "/v1/subscriptions/" + topic + "-poll",
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"ackDeadline\":\"PT15S\"}"));
    byte[] key = new byte[32];
    ThreadLocalRandom.current().nextBytes(key);
    created(LocalCluster.HTTP.request("PUT", base + "/v1/subscriptions/" + topic + "-push",
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"maxInFlight\":32,"
            + "\"push\":{\"url\":\"" + sink.url() + "\",\"secret\":\"whsec_"
            + Base64.getEncoder().encodeToString(key) + "\"}}"));
    sseReader = new SseReader(cluster::url, NODES, 1, topic + "-sse", sse);
    wsReader = new WsReader(cluster::url, NODES, 2, topic + "-ws", ws);
    pollReader = new PollReader(cluster::url, NODES, 3, topic + "-poll", poll);
    threads.add(daemon(sseReader));
    threads.add(daemon(wsReader));
    threads.add(daemon(pollReader));
  }

  // ---- scenarios ----

  private void isolateAHostingNode() throws Exception {
    List<Thread> producers = produce();
    awaitEveryTallyGrows();
    int victim = busiestOf(List.of(2, 3));
    Set<String> hosted = hostedOn(victim);
    long cutAt = System.nanoTime();
    isolate(victim);
    awaitDeliveryAfter(cutAt + TimeUnit.SECONDS.toNanos(1), "isolating node " + victim);
    long exitedMillis = awaitExit(victim, cutAt);
    finish(producers);
    heal();
    report.add(resumes("isolate node " + victim, hosted, cutAt)
        + "; the isolated node downed itself and exited after " + exitedMillis + " ms; "
        + safetyGap(victim));
    cluster.startNode(victim);
    assertOneCluster();
    assertGuarantees();
  }

  private void partitionTheOldestAndHeal() throws Exception {
    List<Thread> producers = produce();
    awaitEveryTallyGrows();
    int victim = 1;
    Set<String> hosted = hostedOn(victim);
    long cutAt = System.nanoTime();
    isolate(victim);
    // Heal as soon as the majority has removed the minority, while its process may still be
    // shutting down.
    await(() -> !members(2).contains(cluster.remoting(victim)), 60,
        () -> "node 2 to remove node " + victim + "; it sees " + members(2));
    long removedMillis = millisSince(cutAt);
    heal();
    awaitDeliveryAfter(cutAt + TimeUnit.SECONDS.toNanos(1), "isolating node " + victim);
    long exitedMillis = awaitExit(victim, cutAt);
    finish(producers);
    report.add(resumes("isolate the oldest, node " + victim + ", heal", hosted, cutAt)
        + "; downed by the majority after " + removedMillis + " ms, the minority exited after "
        + exitedMillis + " ms; " + safetyGap(victim));
    cluster.startNode(victim);
    assertOneCluster();
    assertGuarantees();
  }

  /**
   * SIGSTOP for {@code seconds}. Five seconds is short of where the failure detector (unreachable
   * after ~3.5 s) and the resolver (3 s more, on a 1 s tick) down a node, so it wakes still a
   * member; ten seconds is surely downed while asleep (eight was not always: woken just before the
   * resolver acted, it was downed moments after the test saw it a member), and then it wakes with
   * its timers due and writes in flight. Either way nothing it writes may corrupt a partition or a
   * subscription.
   */
  private void pauseAHostingNode(int seconds) throws Exception {
    List<Thread> producers = produce();
    awaitEveryTallyGrows();
    int victim = busiestOf(List.of(2, 3));
    Set<String> hosted = hostedOn(victim);
    long pid = cluster.pid(victim).orElseThrow();
    long stoppedAt = System.nanoTime();
    signal("STOP", pid);
    try {
      // The pause itself is the scenario, not a guess at how long something takes.
      TimeUnit.SECONDS.sleep(seconds);
    } finally {
      signal("CONT", pid);
    }
    awaitDeliveryAfter(stoppedAt + TimeUnit.SECONDS.toNanos(1), "stopping node " + victim);
    // Awake, it either learns it was downed and exits, or is still a member and stays one.
    Set<String> all = new TreeSet<>();
    for (int n = 1; n <= NODES; n++) {
      all.add(cluster.remoting(n));
    }
    await(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
            || (members(1).equals(all) && members(victim).equals(all)), 60,
        () -> "node " + victim + " to exit or to be a member again");
    boolean exited = !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    long outcomeMillis = millisSince(stoppedAt);
    finish(producers);
    report.add(resumes("SIGSTOP node " + victim + " for " + seconds + " s", hosted, stoppedAt)
        + (exited ? "; it was downed and exited after waking, " : "; it stayed a member, ")
        + outcomeMillis + " ms after the stop");
    if (exited) {
      cluster.startNode(victim);
    }
    assertOneCluster();
    assertGuarantees();
  }

  // ---- traffic and checks ----

  /** Six producers, a few hundred messages each at a steady pace (~15 s of traffic). */
  private List<Thread> produce() {
    List<Thread> producers = new ArrayList<>();
    for (int p = 0; p < 6; p++) {
      producers.add(daemon(
          new Producer(nextProducer++, 400, 10, 300, NODES, cluster::url, topic, published)));
    }
    return producers;
  }

  private void awaitEveryTallyGrows() {
    List<Integer> before = tallies().stream().map(Tally::distinct).toList();
    await(() -> {
      for (int i = 0; i < before.size(); i++) {
        if (tallies().get(i).distinct() < before.get(i) + 200) {
          return false;
        }
      }
      return true;
    }, 120, () -> "every subscription to receive 200 more messages");
  }

  private void finish(List<Thread> producers) throws InterruptedException {
    for (Thread t : producers) {
      t.join(TimeUnit.MINUTES.toMillis(3));
    }
    await(() -> producers.stream().noneMatch(Thread::isAlive), 10, () -> "the producers to end");
    await(() -> tallies().stream().allMatch(t -> t.hasAll(published)), 120,
        () -> "every subscription to receive every published message; missing "
            + tallies().stream().map(t -> t.name + " " + t.countMissing(published)
                + " (last message " + millisSince(t.lastArrival()) + " ms ago)").toList());
  }

  /**
   * What a failed run leaves to read: each client's connection, each subscription's state as every
   * node answers it, and the warnings and errors of each node's log (its last ones, deduplicated).
   */
  private List<String> diagnosis() {
    List<String> lines = new ArrayList<>();
    if (sseReader != null) {
      lines.add("clients: sse " + sseReader.describe() + "; ws " + wsReader.describe() + "; poll "
          + pollReader.describe());
    }
    for (Tally t : tallies()) {
      for (int n = 1; n <= NODES; n++) {
        try {
          var r = LocalCluster.HTTP.request("GET",
              cluster.url(n) + "/v1/subscriptions/" + topic + "-" + t.name, null);
          lines.add(t.name + " as node " + n + " sees it: " + r.status() + " " + r.body());
        } catch (RuntimeException e) {
          lines.add(t.name + " as node " + n + " sees it: no answer (" + e + ")");
        }
      }
    }
    for (int n = 1; n <= NODES; n++) {
      lines.addAll(problemsLogged(n, 25));
    }
    return lines;
  }

  private List<String> problemsLogged(int node, int most) {
    java.util.LinkedHashSet<String> seen = new java.util.LinkedHashSet<>();
    try (var lines = Files.lines(logs.resolve("node-" + node + ".log"))) {
      lines.filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
          .map(l -> l.length() > 300 ? l.substring(0, 300) : l)
          .forEach(l -> {
            seen.remove(l.substring(Math.min(13, l.length())));
            seen.add(l.substring(Math.min(13, l.length())));
          });
    } catch (IOException | RuntimeException e) {
      return List.of("node " + node + " log unreadable: " + e);
    }
    List<String> all = new ArrayList<>(seen);
    List<String> last = all.subList(Math.max(0, all.size() - most), all.size());
    List<String> out = new ArrayList<>();
    out.add("node " + node + " logged " + all.size() + " distinct warnings/errors; the last "
        + last.size() + ":");
    last.forEach(l -> out.add("  node " + node + ": " + l));
    return out;
  }

  private void assertGuarantees() {
    for (Tally t : tallies()) {
      check(t.hasAll(published), t.name + " lost " + t.missing(published));
      check(t.storedTwice().isEmpty(), t.name + ": ids stored twice " + t.storedTwice());
      check(t.positionsWrittenTwice().isEmpty(),
          t.name + ": log positions holding two ids " + t.positionsWrittenTwice());
    }
    check(wsReader.violations.isEmpty(), "WebSocket: " + wsReader.violations);
    check(pollReader.violations.isEmpty(), "long polling: " + pollReader.violations);
  }

  /** Every node lists the same three Up members and names the same host for each subscription. */
  private void assertOneCluster() {
    Set<String> all = new TreeSet<>();
    for (int n = 1; n <= NODES; n++) {
      all.add(cluster.remoting(n));
    }
    await(() -> {
      for (int n = 1; n <= NODES; n++) {
        if (!members(n).equals(all)) {
          return false;
        }
      }
      return true;
    }, 60, () -> "every node to see the three members Up; they see "
        + List.of(members(1), members(2), members(3)));
    await(() -> {
      for (Tally t : tallies()) {
        Set<String> hosts = new TreeSet<>();
        for (int n = 1; n <= NODES; n++) {
          hosts.add(host(t, n));
        }
        if (hosts.size() != 1 || hosts.contains("")) {
          return false;
        }
      }
      return true;
    }, 60, () -> "every node to name one host per subscription");
  }

  private String resumes(String scenario, Set<String> hosted, long fromNanos) {
    StringBuilder s = new StringBuilder(scenario).append(" (hosted ").append(hosted).append("):");
    long until = System.nanoTime();
    for (Tally t : tallies()) {
      long resume = t.resumeMillis(fromNanos, until);
      s.append(' ').append(t.name).append(hosted.contains(t.name) ? "*" : "")
          .append(resume < 0 ? " uninterrupted" : " resumed after " + resume + " ms");
    }
    return s.toString();
  }

  private void awaitDeliveryAfter(long nanos, String after) {
    await(() -> tallies().stream().allMatch(t -> t.lastArrival() > nanos), 60,
        () -> "every subscription to deliver again after " + after + "; still silent: "
            + tallies().stream().filter(t -> t.lastArrival() <= nanos).map(t -> t.name).toList());
  }

  /**
   * From the nodes' logs: how long before the majority could start the minority's shards (its
   * removal plus the removal margin) the minority had downed itself. Must be positive.
   */
  private String safetyGap(int victim) {
    String address = "pekko://courier@" + cluster.remoting(victim);
    java.time.LocalTime stopped = lastLogTime(victim, "Shutting down myself");
    java.time.LocalTime removed = null;
    for (int n = 1; n <= NODES; n++) {
      if (n != victim) {
        java.time.LocalTime t = lastLogTime(n, "Leader is removing unreachable node [" + address);
        if (t != null && (removed == null || t.isBefore(removed))) {
          removed = t;
        }
      }
    }
    if (stopped == null || removed == null) {
      return "safety gap unknown (no log line)";
    }
    long gap = java.time.Duration.between(stopped, removed.plus(REMOVAL_MARGIN)).toMillis();
    check(gap > 0, "the minority downed itself " + -gap
        + " ms after the majority's removal margin ended: both sides ran its shards");
    return "the minority stopped " + gap + " ms before the majority's removal margin ended";
  }

  private java.time.LocalTime lastLogTime(int node, String text) {
    try (var lines = Files.lines(logs.resolve("node-" + node + ".log"))) {
      return lines.filter(l -> l.contains(text)).reduce((a, b) -> b)
          .map(l -> java.time.LocalTime.parse(l.substring(0, 12))).orElse(null);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private long awaitExit(int node, long sinceNanos) {
    long pid = cluster.pid(node).orElseThrow();
    await(() -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), 60,
        () -> "node " + node + " (pid " + pid + ") to down itself and exit");
    return millisSince(sinceNanos);
  }

  private int busiestOf(List<Integer> candidates) {
    int best = candidates.get(candidates.size() - 1);
    int most = -1;
    for (int n : candidates) {
      int hosted = hostedOn(n).size();
      if (hosted > most) {
        most = hosted;
        best = n;
      }
    }
    return best;
  }

  private Set<String> hostedOn(int node) {
    Set<String> names = new TreeSet<>();
    for (Tally t : tallies()) {
      if (host(t, 1 + node % NODES).equals(cluster.remoting(node))) {
        names.add(t.name);
      }
    }
    return names;
  }

  private String host(Tally t, int askNode) {
    try {
      var r = LocalCluster.HTTP.request("GET",
          cluster.url(askNode) + "/v1/subscriptions/" + topic + "-" + t.name, null);
      return JSON.readTree(r.body()).path("node").asText();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** The Up members node N lists (management's /cluster/members), as host:port. */
  private Set<String> members(int node) {
    Set<String> up = new TreeSet<>();
    try {
      var r = LocalCluster.HTTP.request("GET",
          "http://127.0.0.1:" + (LocalCluster.MANAGEMENT_BASE + node)
          + "/cluster/members", null);
      for (JsonNode m : JSON.readTree(r.body()).path("members")) {
        if (m.path("status").asText().equals("Up")) {
          String address = m.path("node").asText();
          up.add(address.substring(address.indexOf('@') + 1));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not answering: no members
    }
    return up;
  }

  // ---- the network and the processes ----

  private void isolate(int node) {
    String cut = HOSTS.get(node - 1);
    for (String other : HOSTS) {
      if (!other.equals(cut)) {
        iptables("-A", "INPUT", "-s", cut, "-d", other, "-j", "DROP");
        iptables("-A", "INPUT", "-s", other, "-d", cut, "-j", "DROP");
      }
    }
  }

  private void heal() {
    iptables("-F", "INPUT");
  }

  private static void iptables(String... args) {
    List<String> command = new ArrayList<>(List.of("iptables", "-w"));
    command.addAll(List.of(args));
    run(command);
  }

  private static void signal(String signal, long pid) {
    run(List.of("kill", "-" + signal, Long.toString(pid)));
  }

  private static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).inheritIO().start();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void stopClients() {
    if (sseReader != null) {
      sseReader.stop();
      wsReader.stop();
      pollReader.stop();
    }
    threads.forEach(Thread::interrupt);
    if (sink != null) {
      sink.close();
    }
  }

  // ---- small helpers ----

  private static long millisSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }

  private static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }

  private static void created(HttpAnswer r) {
    check(r.status() == 201, r.status() + " " + r.body());
  }

  private Thread daemon(Runnable body) {
    Thread t = new Thread(body);
    t.setDaemon(true);
    t.start();
    threads.add(t);
    return t;
  }

  private static void await(BooleanSupplier condition, int seconds, Supplier<String> what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + seconds + " s waiting for " + what.get());
      }
      try {
        TimeUnit.MILLISECONDS.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what.get());
      }
    }
  }
}
