package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import dev.courier.node.push.PushDelivery;
import dev.courier.persistence.cassandra.RealCassandra;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Webhook secrets are sealed at rest, on real nodes and the real Cassandra: the subscription's
 * journal and snapshots hold neither the secret's text nor its key bytes, deliveries still verify
 * with the secret, GET never shows it, and a node with another cluster key cannot open it: it logs
 * why and sends nothing, and keeps serving.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WebhookSecretIT {

  @Test
  void theSecretIsSealedInTheJournalAndOpenedOnlyWithTheClusterKey() throws Exception {
    String topic = LeasedDeliveryIT.unique("sealed");
    String sub = topic + "-hook";
    try (WebhookReceiver receiver = WebhookReceiver.start(WebhookReceiver.newSecret());
        CqlSession cql = RealCassandra.newSession()) {
      String secret = receiver.secret();
      byte[] keyBytes = Base64.getDecoder().decode(secret.substring("whsec_".length()));
      try (TestNode node = TestNode.start()) {
        String url = node.url();
        assertEquals(201, HTTP.request("PUT",
            url + "/v1/topics/" + topic, "{\"partitions\":1}").status());
        String body = "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"push\":{\"url\":\""
            + receiver.url() + "\",\"secret\":\"" + secret + "\"}}";
        var created = HTTP.request("PUT", url + "/v1/subscriptions/" + sub, body);
        assertEquals(201, created.status(), () -> created.body());
        assertEquals(200, HTTP.request("PUT", url + "/v1/subscriptions/" + sub, body).status(),
            "the same PUT again is the same subscription");
        publish(url, topic, "before");
        Await.until("a delivery verified with the secret", () -> receiver.accepted().size() >= 1);
        assertEquals(List.of(), receiver.badlySigned());
        String shown = HTTP.request("GET", url + "/v1/subscriptions/" + sub).json().toString();
        assertFalse(shown.contains(secret.substring(6)), shown);
        assertFalse(shown.contains("sealed:"), "nor its sealed form: " + shown);
      }

      List<byte[]> stored = storedBlobs(cql, "Subscription|" + sub);
      assertTrue(stored.size() >= 1, "the subscription's events are in the journal");
      for (byte[] blob : stored) {
        assertFalse(contains(blob, secret.getBytes(StandardCharsets.UTF_8)), "the secret's text");
        assertFalse(contains(blob, secret.substring(6).getBytes(StandardCharsets.UTF_8)),
            "its base64 key");
        assertFalse(contains(blob, keyBytes), "its key bytes");
      }
      assertTrue(stored.stream().anyMatch(b -> contains(b,
          "sealed:v1:".getBytes(StandardCharsets.UTF_8))), "the sealed form is what is stored");

      // A node with another cluster key: the secret cannot be opened, nothing is sent unsigned
      // or signed wrongly, the error says what to check, and the node keeps serving.
      Logger pushLog = (Logger) LoggerFactory.getLogger(PushDelivery.class);
      ListAppender<ILoggingEvent> logged = new ListAppender<>();
      logged.start();
      pushLog.addAppender(logged);
      byte[] other = new byte[32];
      new SecureRandom().nextBytes(other);
      int before = receiver.received().size();
      try (TestNode node = TestNode.start(
          "courier.security.key = \"" + Base64.getEncoder().encodeToString(other) + "\"")) {
        String url = node.url();
        publish(url, topic, "after");
        Await.until("an error saying the secret cannot be opened", () -> errors(logged).stream()
            .anyMatch(m -> m.contains(sub) && m.contains("courier.security.key")));
        assertEquals(200, HTTP.request("GET", url + "/v1/subscriptions/" + sub).status());
        assertEquals(200, HTTP.request("GET", url + "/health/ready").status());
        assertEquals(before, receiver.received().size(), "nothing was sent");
        for (String m : errors(logged)) {
          assertFalse(m.contains(secret.substring(6)), "the log never shows the secret");
        }
      } finally {
        pushLog.detachAppender(logged);
      }
    }
  }

  private static List<String> errors(ListAppender<ILoggingEvent> logged) {
    List<String> out = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(logged.list)) {
      if (e.getLevel() == Level.ERROR) {
        out.add(e.getFormattedMessage());
      }
    }
    return out;
  }

  private static void publish(String url, String topic, String id) {
    assertEquals(200, HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
        "{\"id\":\"" + id + "\",\"data\":1}").status());
  }

  /** Every event and snapshot of one persistence id, as stored. */
  private static List<byte[]> storedBlobs(CqlSession cql, String persistenceId) {
    List<byte[]> out = new ArrayList<>();
    for (Row row : cql.execute("SELECT event FROM courier_journal.messages"
        + " WHERE persistence_id = ? AND partition_nr IN (0, 1)", persistenceId)) {
      out.add(bytes(row.getByteBuffer(0)));
    }
    for (Row row : cql.execute("SELECT snapshot FROM courier_snapshot.snapshots"
        + " WHERE persistence_id = ?", persistenceId)) {
      if (row.getByteBuffer(0) != null) {
        out.add(bytes(row.getByteBuffer(0)));
      }
    }
    return out;
  }

  private static byte[] bytes(ByteBuffer buffer) {
    ByteBuffer b = buffer.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
