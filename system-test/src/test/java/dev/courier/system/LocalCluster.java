package dev.courier.system;

import dev.courier.client.CourierClient;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Drives deploy/local-cluster.sh for a test: its own state folder and ports, real processes. */
final class LocalCluster implements AutoCloseable {
  static final int HTTP_BASE = 24080;
  static final int REMOTE_BASE = 22550;
  static final int MANAGEMENT_BASE = 24550;

  private static final Map<String, CourierClient> CLIENTS = new ConcurrentHashMap<>();
  /** The client library for requests to full URLs of any node ({@link CourierClient#request}). */
  static final CourierClient HTTP = client("http://127.0.0.1");

  private final Path root;
  private final Path dir;
  private final List<String> hosts;
  private final int portOffset;

  LocalCluster(Path root, Path dir) {
    this(root, dir, List.of());
  }

  /** Node I's remoting listens on the I-th of {@code hosts} (all on 127.0.0.1 if empty). */
  LocalCluster(Path root, Path dir, List<String> hosts) {
    this(root, dir, hosts, 0);
  }

  /**
   * As above, every port {@code portOffset} above the usual ones, so that a test's cluster does
   * not take the ports another test's cluster on the same host may be using.
   */
  LocalCluster(Path root, Path dir, List<String> hosts, int portOffset) {
    this.root = root;
    this.dir = dir;
    this.hosts = List.copyOf(hosts);
    this.portOffset = portOffset;
  }

  /** Node I's remoting address as the cluster names it (host:port). */
  String remoting(int node) {
    String host = node <= hosts.size() ? hosts.get(node - 1) : "127.0.0.1";
    return host + ":" + remotePort(node);
  }

  /** Node I's remoting port. */
  int remotePort(int node) {
    return REMOTE_BASE + portOffset + node;
  }

  /** The process id of node I as started by the script, if it has one. */
  java.util.OptionalLong pid(int node) {
    try {
      return java.util.OptionalLong.of(Long.parseLong(
          java.nio.file.Files.readString(dir.resolve("node-" + node + ".pid")).trim()));
    } catch (IOException | NumberFormatException e) {
      return java.util.OptionalLong.empty();
    }
  }

  /**
   * The client library for the node at {@code baseUrl}, one per node, with the short timeouts a
   * failover test needs: a dead node is given up on within seconds, as the readers move on.
   */
  static CourierClient client(String baseUrl) {
    return CLIENTS.computeIfAbsent(baseUrl, url -> CourierClient.builder(url)
        .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(8)).build());
  }

  /** The repository root, found from the module's working directory. */
  static Path repositoryRoot() {
    Path here = Path.of("").toAbsolutePath();
    while (here != null && !here.resolve("deploy/local-cluster.sh").toFile().exists()) {
      here = here.getParent();
    }
    if (here == null) {
      throw new IllegalStateException("deploy/local-cluster.sh not found above the working directory");
    }
    return here;
  }

  String url(int node) {
    return "http://127.0.0.1:" + (HTTP_BASE + portOffset + node);
  }

  void start(int nodes) {
    run("start", Integer.toString(nodes));
  }

  void kill(int node) {
    run("kill", Integer.toString(node));
  }

  void startNode(int node) {
    run("start-node", Integer.toString(node));
  }

  void stop(int node) {
    run("stop", Integer.toString(node));
  }

  @Override
  public void close() {
    run("stop");
  }

  private void run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(root.resolve("deploy/local-cluster.sh").toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).inheritIO();
    pb.environment().put("COURIER_CLUSTER_DIR", dir.toString());
    pb.environment().put("COURIER_CLUSTER_HTTP_BASE", Integer.toString(HTTP_BASE + portOffset));
    pb.environment().put("COURIER_CLUSTER_REMOTE_BASE", Integer.toString(REMOTE_BASE + portOffset));
    pb.environment().put("COURIER_CLUSTER_MANAGEMENT_BASE",
        Integer.toString(MANAGEMENT_BASE + portOffset));
    pb.environment().put("COURIER_CLUSTER_HOSTS", String.join(" ", hosts));
    // A keyspace of its own: the push keeper wakes every push subscription its keyspace registers,
    // so a node of another test run on the same Cassandra would otherwise run this run's too.
    pb.environment().put("COURIER_KEYSPACE", "courier_system");
    try {
      Process p = pb.start();
      if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("local-cluster.sh " + String.join(" ", args) + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Path stateDir() {
    return new File("target/local-cluster").getAbsoluteFile().toPath();
  }
}
