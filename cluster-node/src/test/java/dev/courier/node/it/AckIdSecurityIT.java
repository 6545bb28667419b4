package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static dev.courier.node.it.TestNode.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ack ids are bound to their delivery by the cluster key, on real nodes and the real Cassandra:
 * made-up and altered ids ack nothing, the id of a lease that expired and went out again does not
 * ack the new lease, and ids stay valid when the subscription restarts or moves to another node
 * (every node has the same key), but not on a node with another key.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AckIdSecurityIT {

  @Test
  void madeUpAndStaleIdsAckNothingAndTheCurrentOneAcks() throws Exception {
    try (TestNode node = TestNode.start()) {
      String url = node.url();
      String sub = queue(url, "PT1S", 1);
      JsonNode first = poll(url, sub);
      assertEquals(1, first.get("deliveryAttempt").asInt());
      String real = first.get("ackId").asText();
      String partition = first.get("partition").asText();
      String offset = first.get("offset").asText();
      char last = real.charAt(real.length() - 1);
      List<String> forged = List.of(
          partition + "-" + offset,                                    // the old, guessable form
          partition + "-" + offset + "-1",
          partition + "-" + offset + "-1.AAAAAAAAAAAAAAAA",            // right shape, made-up MAC
          real.substring(0, real.length() - 1) + (last == 'A' ? 'B' : 'A'),   // altered
          real.replaceFirst("-1\\.", "-2."));                           // another attempt
      assertEquals(0, ack(url, sub, forged), "made-up ids ack nothing");
      assertEquals(0, nack(url, sub, forged), "nor nack anything");
      assertEquals(1, state(url, sub).get("inFlight").asInt(), "still leased");

      // The lease runs out (ackDeadline PT1S) and the message goes out again, attempt 2.
      JsonNode second = poll(url, sub);
      assertEquals(first.get("id").asText(), second.get("id").asText());
      assertEquals(2, second.get("deliveryAttempt").asInt());
      assertNotEquals(real, second.get("ackId").asText());
      assertEquals(0, ack(url, sub, List.of(real)), "the expired lease's id does not ack the new");
      assertEquals(0, nack(url, sub, List.of(real)), "nor nack it");
      assertEquals(1, state(url, sub).get("inFlight").asInt());
      assertEquals(1, ack(url, sub, List.of(second.get("ackId").asText())));
      assertEquals(0, state(url, sub).get("inFlight").asInt());
      assertEquals(0, HTTP.request("GET",
          url + "/v1/subscriptions/" + sub + "/messages?max=10&wait=PT2S")
          .json().get("messages").size(), "acked: not delivered again");
    }
  }

  @Test
  void idsOutliveARestartButNotAChangeOfKey() throws Exception {
    String sub;
    String ackId;
    try (TestNode node = TestNode.start()) {
      sub = queue(node.url(), "PT5M", 1);
      ackId = poll(node.url(), sub).get("ackId").asText();
    }
    byte[] other = new byte[32];
    new SecureRandom().nextBytes(other);
    try (TestNode node = TestNode.start(
        "courier.security.key = \"" + Base64.getEncoder().encodeToString(other) + "\"")) {
      assertEquals(0, ack(node.url(), sub, List.of(ackId)), "another cluster key: unknown id");
    }
    try (TestNode node = TestNode.start()) {
      assertEquals(1, ack(node.url(), sub, List.of(ackId)), "the same key: the id still acks");
      assertEquals(0, HTTP.request("GET", node.url() + "/v1/subscriptions/" + sub
          + "/messages?max=10&wait=PT2S").json().get("messages").size());
    }
  }

  @Test
  void idsOutliveAMoveToAnotherNode() throws Exception {
    TestNode first = TestNode.start();
    TestNode second = null;
    try {
      second = TestNode.start("courier.node.seeds = \"" + first.remoting() + "\"");
      TestNode joined = second;
      Await.until("two Up members", () -> upMembers(first) == 2 && upMembers(joined) == 2);
      String sub = queue(first.url(), "PT5M", 1);
      TestNode host = hostOf(sub, first, second);
      TestNode other = host == first ? second : first;
      // Leased through the other node's edge, then the node holding the subscription leaves.
      String ackId = poll(other.url(), sub).get("ackId").asText();
      host.close();
      Await.until("the subscription runs on the other node",
          () -> other.remoting().equals(nodeOf(other.url(), sub)));
      assertEquals(1, ack(other.url(), sub, List.of(ackId)), "acked where it moved to");
      assertEquals(0, HTTP.request("GET", other.url() + "/v1/subscriptions/" + sub
          + "/messages?max=10&wait=PT2S").json().get("messages").size());
    } finally {
      if (second != null) {
        second.close();
      }
      first.close();
    }
  }

  // ---- helpers ----

  /** A one-partition topic with {@code messages} messages and a queue subscription on it. */
  private static String queue(String url, String ackDeadline, int messages) {
    String topic = LeasedDeliveryIT.unique("ackid");
    String sub = topic + "-sub";
    assertEquals(201, HTTP.request("PUT",
        url + "/v1/topics/" + topic, "{\"partitions\":1}").status());
    assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub, "{\"topic\":\"" + topic
        + "\",\"startAt\":\"earliest\",\"ackDeadline\":\"" + ackDeadline + "\"}").status());
    for (int i = 0; i < messages; i++) {
      assertEquals(200, HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
          "{\"id\":\"m-" + i + "\",\"data\":" + i + "}").status());
    }
    return sub;
  }

  private static JsonNode poll(String url, String sub) {
    var r = HTTP.request("GET", url + "/v1/subscriptions/" + sub + "/messages?max=1&wait=PT20S");
    assertEquals(200, r.status(), () -> r.body());
    assertEquals(1, r.json().get("messages").size(), () -> "a message: " + r.body());
    return r.json().get("messages").get(0);
  }

  private static int ack(String url, String sub, List<String> ids) {
    var r = HTTP.request("POST",
        url + "/v1/subscriptions/" + sub + "/ack", "{\"ackIds\":" + json(ids) + "}");
    assertEquals(200, r.status(), () -> r.body());
    return r.json().get("acked").asInt();
  }

  private static int nack(String url, String sub, List<String> ids) {
    var r = HTTP.request("POST", url + "/v1/subscriptions/" + sub + "/nack",
        "{\"ackIds\":" + json(ids) + ",\"delay\":\"PT0S\"}");
    assertEquals(200, r.status(), () -> r.body());
    return r.json().get("nacked").asInt();
  }

  private static String json(List<String> ids) {
    try {
      return JSON.writeValueAsString(new ArrayList<>(ids));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode state(String url, String sub) {
    var r = HTTP.request("GET", url + "/v1/subscriptions/" + sub);
    assertEquals(200, r.status());
    return r.json();
  }

  private static String nodeOf(String url, String sub) {
    var r = HTTP.request("GET", url + "/v1/subscriptions/" + sub);
    return r.status() == 200 && r.json().hasNonNull("node") ? r.json().get("node").asText() : "";
  }

  private static TestNode hostOf(String sub, TestNode a, TestNode b) throws Exception {
    String[] node = new String[1];
    Await.until("the subscription runs somewhere", () -> {
      node[0] = nodeOf(a.url(), sub);
      return !node[0].isEmpty();
    });
    return a.remoting().equals(node[0]) ? a : b;
  }

  private static long upMembers(TestNode node) {
    int up = 0;
    for (var m : Cluster.get(node.system()).state().getMembers()) {
      up += m.status() == MemberStatus.up() ? 1 : 0;
    }
    return up;
  }
}
