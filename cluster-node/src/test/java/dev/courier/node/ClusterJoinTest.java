package dev.courier.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterJoin} on real actor systems with the node's configuration (no Cassandra: no
 * CourierNode): a lone node joins itself and its management endpoint reports it ready, two nodes
 * bootstrap into one cluster, and bad discovery settings fail start-up.
 */
class ClusterJoinTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final List<ActorTestKit> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    nodes.forEach(ActorTestKit::shutdownTestKit);
  }

  @Test
  void defaultsJoinSeedsOrSelfAndBindManagementOnLoopback() {
    Config config = NodeConfig.load();
    ClusterJoin.Settings settings = ClusterJoin.Settings.fromConfig(config);
    assertEquals(ClusterJoin.Discovery.SEEDS, settings.discovery());
    assertTrue(settings.joinSelfWhenNoSeeds());
    assertEquals(List.of(), settings.seedNodes());
    assertEquals("127.0.0.1", config.getString("pekko.management.http.hostname"));
    assertEquals(8558, config.getInt("pekko.management.http.port"));
    Config discovery =
        config.getConfig("pekko.management.cluster.bootstrap.contact-point-discovery");
    assertEquals("config", discovery.getString("discovery-method"));
    assertEquals("courier", discovery.getString("service-name"));
    assertEquals(2, discovery.getInt("required-contact-point-nr"));
  }

  @Test
  void seedsAreJoinedByCourierOnceWarmNotByPekkoAtStart() {
    Config config =
        NodeConfig.load(ConfigFactory.parseString("courier.node.seeds = \"10.0.0.1:2552\""));
    assertEquals(List.of(), config.getStringList("pekko.cluster.seed-nodes"),
        "Pekko would join a list of its own at once");
    assertEquals(List.of("pekko://courier@10.0.0.1:2552"),
        ClusterJoin.Settings.fromConfig(config).seedNodes());
  }

  @Test
  void anUnknownDiscoveryModeFailsStartUp() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NodeConfig.load(ConfigFactory.parseString("courier.node.discovery = gossip")));
    assertTrue(
        e.getMessage().contains("courier.node.discovery") && e.getMessage().contains("'gossip'")
            && e.getMessage().contains("'seeds' or 'bootstrap'"),
        e.getMessage());
  }

  @Test
  void bootstrapWithSeedNodesFailsStartUp() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NodeConfig.load(
                    ConfigFactory.parseString(
                        """
                        courier.node.discovery = bootstrap
                        courier.node.seeds = "127.0.0.1:2551"
                        """)));
    assertTrue(e.getMessage().contains("COURIER_SEEDS"), e.getMessage());
  }

  @Test
  void withNoSeedsANodeJoinsItselfAndManagementTurnsReady() throws Exception {
    // No sharding runs in this system, so only the membership check decides /ready here; the real
    // node's /ready, with both checks, is ManagementIT's.
    ActorSystem<?> system =
        node("pekko.management.http.port = 0\npekko.cluster.sharding.healthcheck.names = []");
    String management = "http://127.0.0.1:" + startManagement(system);
    assertEquals(200, status(management + "/alive"));
    assertEquals(500, status(management + "/ready"), "not a member yet");

    assertEquals(ClusterJoin.Discovery.SEEDS, ClusterJoin.start(system));

    nodes.get(0).createTestProbe().awaitAssert(WAIT, () -> {
      assertEquals(200, status(management + "/ready"));
      return null;
    });
    assertEquals(MemberStatus.up(), Cluster.get(system).selfMember().status());
  }

  @Test
  void twoNodesBootstrapIntoOneCluster() throws Exception {
    int[] ports = twoFreePorts();
    String endpoints =
        "[{host = \"127.0.0.1\", port = %d}, {host = \"127.0.0.1\", port = %d}]"
            .formatted(ports[0], ports[1]);
    List<ActorSystem<?>> systems = new ArrayList<>();
    for (int port : ports) {
      ActorSystem<?> system =
          node(
              """
              courier.node.discovery = bootstrap
              pekko.management.http.port = %d
              pekko.discovery.config.services.courier.endpoints = %s
              pekko.management.cluster.bootstrap {
                new-cluster-enabled = on
                contact-point-discovery.required-contact-point-nr = 2
                # Both lists are complete and fixed: no need to watch them for 5 s.
                contact-point-discovery.stable-margin = 1s
                # One host here, so the nodes' management ports differ; deployments use one port.
                contact-point.filter-on-fallback-port = off
              }
              """
                  .formatted(port, endpoints));
      assertEquals(port, startManagement(system));
      systems.add(system);
    }
    for (ActorSystem<?> system : systems) {
      assertEquals(ClusterJoin.Discovery.BOOTSTRAP, ClusterJoin.start(system));
    }

    nodes.get(0).createTestProbe().awaitAssert(WAIT, () -> {
      for (ActorSystem<?> system : systems) {
        List<MemberStatus> members = new ArrayList<>();
        Cluster.get(system).state().getMembers().forEach(m -> members.add(m.status()));
        assertEquals(List.of(MemberStatus.up(), MemberStatus.up()), members,
            system.address() + " sees " + members);
      }
      return null;
    });
    List<Member> first = new ArrayList<>();
    Cluster.get(systems.get(0)).state().getMembers().forEach(first::add);
    assertTrue(first.stream().anyMatch(m -> m.address().equals(systems.get(1).address())),
        "one cluster: the first node has the second as a member");
  }

  /** An actor system with the node's configuration, remoting on a free port, stopped after. */
  private ActorSystem<?> node(String overrides) {
    Config config =
        NodeConfig.load(
            ConfigFactory.parseString(
                overrides
                    + "\npekko.remote.artery.canonical.port = 0"
                    + "\npekko.cluster.jmx.multi-mbeans-in-same-jvm = on"));
    ActorTestKit kit = ActorTestKit.create("courier", config);
    nodes.add(kit);
    return kit.system();
  }

  private static int startManagement(ActorSystem<?> system) throws Exception {
    return PekkoManagement.get(system).start().toCompletableFuture().get(30, TimeUnit.SECONDS)
        .port();
  }

  private static int status(String url) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** Bootstrap finds itself among the contact points by its configured port: pick them ahead. */
  private static int[] twoFreePorts() throws IOException {
    try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
      return new int[] {a.getLocalPort(), b.getLocalPort()};
    }
  }
}
