package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.SseConsumer;
import dev.courier.persistence.CassandraSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Courier on a Cassandra that offers TLS to its clients (a second server on port 9142, see
 * {@link TlsCassandra}) with {@code courier.cassandra.tls = on} and a trust store holding only the
 * authority that signed the server's certificate: the node starts, stores and delivers, and
 * Cassandra lists every one of its connections as TLS; a trust store of another authority gets
 * no session.
 */
@Timeout(value = 420, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CassandraTlsIT {
  private static TestCertificates authority;
  private static Path dir;
  private static TlsCassandra cassandra;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("courier-cassandra-tls");
    authority = TestCertificates.authority(dir, "courier-cassandra");
    cassandra = TlsCassandra.start(authority.keyStore("cassandra"), TestCertificates.PASSWORD);
  }

  @AfterAll
  static void stop() {
    if (cassandra != null) {
      cassandra.close();
    }
  }

  @Test
  void aNodeWithCassandraTlsStoresAndDeliversOverTls() throws Exception {
    try (TestNode node = TestNode.start(tls(authority.trustStore()))) {
      String topic = "ctls-" + UUID.randomUUID().toString().substring(0, 8);
      assertEquals(201, HTTP.request("PUT", node.url() + "/v1/topics/" + topic, "{\"partitions\":1}").status());
      String sub = topic + "-sub";
      var created = HTTP.request("PUT", node.url() + "/v1/subscriptions/" + sub,
          "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\"}");
      assertEquals(201, created.status(), () -> "subscription: " + created.body());
      var published = HTTP.request("POST", node.url() + "/v1/topics/" + topic + "/messages",
          "{\"id\":\"stored-over-tls\",\"data\":{\"n\":1}}");
      assertEquals(200, published.status(), () -> "publish: " + published.body());
      try (SseConsumer sse = TestNode.sse(node.url(), sub, null)) {
        JsonNode delivered = sse.messages(1, TestNode.AWAIT).get(0).json();
        assertEquals("stored-over-tls", delivered.get("id").asText());
      }

      CqlSession session = CassandraSessions.session(node.system()).toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      for (var cassandraNode : session.getMetadata().getNodes().values()) {
        String endPoint = cassandraNode.getEndPoint().resolve().toString();
        assertTrue(endPoint.endsWith(":" + TlsCassandra.CQL_PORT), endPoint);
      }
      Row topicRow = session.execute(
          "SELECT name FROM courier.topics WHERE name = ?", topic).one();
      assertEquals(topic, topicRow == null ? null : topicRow.getString("name"),
          "the topic is stored on the TLS server");
      List<Row> clients = session.execute(
          "SELECT port, ssl_enabled, ssl_protocol FROM system_views.clients").all();
      assertFalse(clients.isEmpty());
      for (Row client : clients) {
        assertTrue(client.getBoolean("ssl_enabled"), "connection from port " + client.getInt("port"));
        assertTrue(client.getString("ssl_protocol").startsWith("TLSv1."), client.getString("ssl_protocol"));
      }
    }
  }

  @Test
  void aTrustStoreOfAnotherAuthorityGetsNoSession() throws Exception {
    TestCertificates stranger = TestCertificates.authority(dir, "stranger");
    // The driver normally keeps retrying a first connection (reconnect-on-init); here it reports.
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "courier",
        TestNode.config(tls(stranger.trustStore())
            + "datastax-java-driver.advanced.reconnect-on-init = false\n"));
    try {
      var failed = assertThrows(ExecutionException.class,
          () -> CassandraSessions.session(system).toCompletableFuture().get(60, TimeUnit.SECONDS));
      assertTrue(causedBy(failed, SSLHandshakeException.class), () -> describe(failed));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Overrides pointing a node at the TLS server with TLS on and this trust store. */
  private static String tls(Path trustStore) {
    return """
        courier.cassandra.port = %d
        courier.cassandra.tls = on
        COURIER_CASSANDRA_TLS_TRUSTSTORE = "%s"
        COURIER_CASSANDRA_TLS_TRUSTSTORE_PASSWORD = "%s"
        """.formatted(TlsCassandra.CQL_PORT, trustStore, TestCertificates.PASSWORD);
  }

  private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
      for (Throwable s : t.getSuppressed()) {
        if (causedBy(s, type)) {
          return true;
        }
      }
    }
    if (failure instanceof com.datastax.oss.driver.api.core.AllNodesFailedException all) {
      return all.getAllErrors().values().stream().flatMap(List::stream)
          .anyMatch(e -> causedBy(e, type));
    }
    return false;
  }

  private static String describe(Throwable failure) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      s.append(t).append(" <- ");
    }
    return s.toString();
  }
}
