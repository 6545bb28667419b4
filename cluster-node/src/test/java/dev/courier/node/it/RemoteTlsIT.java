package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.SseConsumer;
import dev.courier.node.CourierNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes in one JVM forming a cluster over Artery's tls-tcp transport with key and trust
 * stores of a certificate authority made for the test: the remoting port speaks TLS with the
 * node's certificate, a message published through one node reaches a consumer whose
 * subscription runs on the other, and a node whose trust store does not hold the cluster's
 * authority (its own key signed by it) never joins.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RemoteTlsIT {
  private static Path dir;
  private static TestCertificates cluster;
  private static TestNode first;
  private static TestNode second;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("courier-remote-tls");
    cluster = TestCertificates.authority(dir, "courier-cluster");
    first = TestNode.start(tls(cluster.keyStore("node-1"), cluster.trustStore()));
    second = TestNode.start(tls(cluster.keyStore("node-2"), cluster.trustStore())
        + "courier.node.seeds = \"" + first.remoting() + "\"\n");
    Await.until("two Up members on both nodes", () -> up(first.system()) == 2 && up(second.system()) == 2);
  }

  @AfterAll
  static void stop() {
    if (second != null) {
      second.close();
    }
    if (first != null) {
      first.close();
    }
  }

  @Test
  void theRemotingPortSpeaksTlsWithTheNodesCertificate() throws Exception {
    for (TestNode node : new TestNode[] {first, second}) {
      assertEquals("tls-tcp",
          node.system().settings().config().getString("pekko.remote.artery.transport"));
      Address address = node.system().address();
      SSLContext context = clientContext(cluster.keyStore("probe"), cluster.trustStore());
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory()
          .createSocket(address.getHost().orElseThrow(), (int) address.getPort().orElseThrow())) {
        socket.startHandshake();
        assertEquals("TLSv1.3", socket.getSession().getProtocol());
        X509Certificate presented = (X509Certificate) socket.getSession().getPeerCertificates()[0];
        assertEquals("CN=courier-cluster", presented.getIssuerX500Principal().getName());
      }
    }
  }

  @Test
  void aMessagePublishedOnOneNodeReachesASubscriptionHostedOnTheOther() throws Exception {
    String topic = "tls-" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(201, HTTP.request("PUT", first.url() + "/v1/topics/" + topic, "{\"partitions\":1}").status());
    String sub = topic + "-sub";
    var created = HTTP.request("PUT", first.url() + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}");
    assertEquals(201, created.status(), () -> "subscription: " + created.body());
    String host = HTTP.request("GET", first.url() + "/v1/subscriptions/" + sub).json().get("node").asText();
    TestNode edge = host.equals(first.remoting()) ? second : first;
    assertNotEquals(edge.remoting(), host);

    try (SseConsumer sse = TestNode.sse(edge.url(), sub, null)) {
      var published = HTTP.request("POST", edge.url() + "/v1/topics/" + topic + "/messages",
          "{\"id\":\"over-tls\",\"data\":{\"hello\":\"tls\"}}");
      assertEquals(200, published.status(), () -> "publish: " + published.body());
      JsonNode delivered = sse.messages(1, TestNode.AWAIT).get(0).json();
      assertEquals("over-tls", delivered.get("id").asText());
      assertEquals("tls", delivered.get("data").get("hello").asText());
    }
  }

  @Test
  void aNodeThatDoesNotTrustTheClustersAuthorityDoesNotJoin() throws Exception {
    TestCertificates stranger = TestCertificates.authority(dir, "stranger");
    ActorSystem<Void> outsider = ActorSystem.create(Behaviors.empty(), "courier",
        TestNode.config(tls(cluster.keyStore("node-3"), stranger.trustStore())
            + "courier.node.seeds = \"" + first.remoting() + "\"\n"));
    try {
      CourierNode.start(outsider);
      Address outsiderAddress = outsider.address();
      // A node with good stores joins in a few seconds; this one is watched four times as long.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline) {
        for (Member m : Cluster.get(first.system()).state().getMembers()) {
          assertNotEquals(outsiderAddress, m.address(), "the outsider became a member");
        }
        assertNotEquals(MemberStatus.up(), Cluster.get(outsider).selfMember().status());
        TimeUnit.MILLISECONDS.sleep(200);
      }
      assertEquals(2, up(first.system()));
    } finally {
      outsider.terminate();
      outsider.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Overrides that switch a node to tls-tcp with these stores. */
  private static String tls(Path keyStore, Path trustStore) {
    return """
        courier.node.remote-tls = on
        COURIER_REMOTE_TLS_KEYSTORE = "%s"
        COURIER_REMOTE_TLS_KEYSTORE_PASSWORD = "%s"
        COURIER_REMOTE_TLS_TRUSTSTORE = "%s"
        COURIER_REMOTE_TLS_TRUSTSTORE_PASSWORD = "%s"
        """.formatted(keyStore, TestCertificates.PASSWORD, trustStore, TestCertificates.PASSWORD);
  }

  private static long up(ActorSystem<?> system) {
    int up = 0;
    for (Member m : Cluster.get(system).state().getMembers()) {
      up += m.status() == MemberStatus.up() ? 1 : 0;
    }
    return up;
  }

  /** A client context presenting {@code keyStore}'s key and trusting {@code trustStore}. */
  private static SSLContext clientContext(Path keyStore, Path trustStore) throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(load(keyStore), TestCertificates.PASSWORD.toCharArray());
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(load(trustStore));
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  private static KeyStore load(Path file) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, TestCertificates.PASSWORD.toCharArray());
    }
    return store;
  }
}
