package dev.courier.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link CrashDowning}: what a probe concludes from a connect, and three real actor systems where
 * one stops without leaving (its remoting port closes, as after a SIGKILL) while the failure
 * detector and the Split Brain Resolver are set far too slow to act within the test: the other two
 * remove it anyway, because its port refuses connections.
 */
class CrashDowningTest {
  private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);

  private final List<ActorTestKit> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() {
    nodes.forEach(ActorTestKit::shutdownTestKit);
  }

  @Test
  void aListeningPortAnswersAndAClosedOneRefuses() throws IOException {
    int closed;
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      InetSocketAddress open = new InetSocketAddress("127.0.0.1", server.getLocalPort());
      assertEquals(CrashDowning.Probe.ANSWERED, CrashDowning.probe("", open, PROBE_TIMEOUT));
      assertEquals(
          CrashDowning.Probe.ANSWERED, CrashDowning.probe("127.0.0.1", open, PROBE_TIMEOUT));
      closed = server.getLocalPort();
    }
    assertEquals(
        CrashDowning.Probe.REFUSED,
        CrashDowning.probe("127.0.0.1", new InetSocketAddress("127.0.0.1", closed), PROBE_TIMEOUT));
  }

  @Test
  void aMemberWhoseProcessIsGoneIsRemovedLongBeforeTheFailureDetectorWouldNotice() {
    List<ActorSystem<?>> systems = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      systems.add(node());
    }
    Cluster first = Cluster.get(systems.get(0));
    for (ActorSystem<?> system : systems) {
      Cluster.get(system).manager().tell(Join.create(first.selfMember().address()));
    }
    ActorTestKit observer = nodes.get(0);
    observer.createTestProbe().awaitAssert(Duration.ofSeconds(30), () -> {
      for (ActorSystem<?> system : systems) {
        assertEquals(List.of(MemberStatus.up(), MemberStatus.up(), MemberStatus.up()),
            statuses(system));
      }
      return null;
    });

    ActorSystem<?> victim = systems.get(2);
    var victimAddress = victim.address();
    // Stops its actors and remoting without leaving the cluster (no coordinated shutdown).
    victim.terminate();
    observer.createTestProbe().awaitAssert(Duration.ofSeconds(15), () -> {
      for (ActorSystem<?> system : systems.subList(0, 2)) {
        List<Member> members = new ArrayList<>();
        Cluster.get(system).state().getMembers().forEach(members::add);
        assertFalse(members.stream().anyMatch(m -> m.address().equals(victimAddress)),
            system.address() + " still has the stopped node: " + members);
        assertEquals(List.of(MemberStatus.up(), MemberStatus.up()), statuses(system));
      }
      return null;
    });
  }

  private static List<MemberStatus> statuses(ActorSystem<?> system) {
    List<MemberStatus> statuses = new ArrayList<>();
    Cluster.get(system).state().getMembers().forEach(m -> statuses.add(m.status()));
    return statuses;
  }

  /**
   * An actor system with the node's configuration, except that only a crash detected by
   * CrashDowning can down a member within the test's time.
   */
  private ActorSystem<?> node() {
    Config config =
        NodeConfig.load(
            ConfigFactory.parseString(
                """
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.cluster.failure-detector.acceptable-heartbeat-pause = 60s
                pekko.cluster.split-brain-resolver.stable-after = 60s
                pekko.coordinated-shutdown.run-by-actor-system-terminate = off
                pekko.coordinated-shutdown.terminate-actor-system = off
                """));
    ActorTestKit kit = ActorTestKit.create("courier", config);
    nodes.add(kit);
    CrashDowning.start(kit.system());
    return kit.system();
  }
}
