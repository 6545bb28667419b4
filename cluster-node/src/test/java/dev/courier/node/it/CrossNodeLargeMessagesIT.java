package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static dev.courier.node.it.TestNode.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.FrameSocket;
import dev.courier.client.SseConsumer;
import dev.courier.node.topic.TopicPartitionEntity;
import dev.courier.persistence.TopicStore;
import dev.courier.persistence.cassandra.RealCassandra;
import dev.courier.protocol.topic.Partitioner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes in one JVM, one cluster, the real Cassandra: messages far larger than Artery's
 * ordinary 256 KiB frame cross from the node that holds a subscription (or a topic partition) to
 * an edge on the other node, and arrive exactly as sent: batches of ~200 KiB messages, single
 * ~1 MiB messages over WebSocket, SSE and long polling, and publishes near the size limit.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CrossNodeLargeMessagesIT {
  private static final int KIB = 1024;
  private static TestNode first;
  private static TestNode second;
  private static TopicStore topics;

  @BeforeAll
  static void start() throws Exception {
    first = TestNode.start();
    second = TestNode.start("courier.node.seeds = \"" + first.remoting() + "\"");
    Await.until("two Up members on both nodes", () -> upMembers(first) == 2 && upMembers(second) == 2);
    topics = new TopicStore(RealCassandra.newSession(), "courier");
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

  private static long upMembers(TestNode node) {
    int up = 0;
    for (var m : Cluster.get(node.system()).state().getMembers()) {
      up += m.status() == MemberStatus.up() ? 1 : 0;
    }
    return up;
  }

  @Test
  void batchesOfTwoHundredKibMessagesReachConsumersOnTheOtherNode() throws Exception {
    String topic = newTopic(4);
    String wsSub = subscribe(topic, "ws");
    String sseSub = subscribe(topic, "sse");
    Map<String, String> sent = new HashMap<>();
    for (int i = 0; i < 16; i++) {
      String id = "b-" + i;
      String data = payload(id, 200 * KIB);
      sent.put(id, data);
      publishOnOwner(topic, "key-" + i, id, data);
    }

    // Every message was published before the consumers attach: the first deliveries to each
    // are a backlog of 3.2 MiB, far more than one ordinary frame.
    TestNode wsEdge = otherThan(hostOf(wsSub));
    try (FrameSocket ws = HTTP.frames(
        wsEdge.url() + "/v1/subscriptions/" + wsSub + "/ws?batch=true")) {
      List<String> ackIds = new ArrayList<>();
      Map<String, String> got = new HashMap<>();
      while (got.size() < sent.size()) {
        for (JsonNode m : ws.next("messages").get("messages")) {
          assertEquals(null, got.put(m.get("id").asText(), m.get("data").toString()),
              "delivered once: " + m.get("id"));
          assertEquals(1, m.get("deliveryAttempt").asInt());
          ackIds.add(m.get("ackId").asText());
        }
      }
      assertEquals(sent, got);
      ackAndAwaitConfirmed(ws, ackIds);
    }
    assertEquals(16, state(wsSub).get("acked").asLong());
    assertNotEquals(wsEdge.remoting(), state(wsSub).get("node").asText(), "crossed nodes");

    TestNode sseEdge = otherThan(hostOf(sseSub));
    try (SseConsumer sse = TestNode.sse(sseEdge.url(), sseSub, null)) {
      Map<String, String> got = new HashMap<>();
      while (got.size() < sent.size()) {
        JsonNode m = sse.messages(1, TestNode.AWAIT).get(0).json();
        assertEquals(null, got.put(m.get("id").asText(), m.get("data").toString()));
      }
      assertEquals(sent, got);
    }
  }

  @Test
  void singleOneMibMessagesReachConsumersOnTheOtherNode() throws Exception {
    String topic = newTopic(2);
    String wsSub = subscribe(topic, "ws");
    String pollSub = subscribe(topic, "poll");
    Map<String, String> sent = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      String id = "m-" + i;
      // ASCII but for a few two-byte characters: close to the limit in bytes, not only in chars.
      String data = payload(id + "-\u00e9\u00e9", 1024 * KIB - 600);
      sent.put(id, data);
      publishOnOwner(topic, "big-" + i, id, data);
    }

    TestNode wsEdge = otherThan(hostOf(wsSub));
    try (FrameSocket ws = HTTP.frames(wsEdge.url() + "/v1/subscriptions/" + wsSub + "/ws")) {
      Map<String, String> got = new HashMap<>();
      List<String> ackIds = new ArrayList<>();
      while (got.size() < sent.size()) {
        JsonNode m = ws.next("message");
        assertEquals(null, got.put(m.get("id").asText(), m.get("data").toString()));
        assertEquals(1, m.get("deliveryAttempt").asInt());
        ackIds.add(m.get("ackId").asText());
      }
      assertEquals(sent, got);
      ackAndAwaitConfirmed(ws, ackIds);
    }
    assertEquals(3, state(wsSub).get("acked").asLong());

    TestNode pollEdge = otherThan(hostOf(pollSub));
    Map<String, String> polled = new HashMap<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (polled.size() < sent.size() && System.nanoTime() < deadline) {
      var r = HTTP.request("GET",
          pollEdge.url() + "/v1/subscriptions/" + pollSub + "/messages?max=10&wait=PT5S");
      assertEquals(200, r.status(), () -> "poll: " + r.body());
      List<String> ackIds = new ArrayList<>();
      for (JsonNode m : r.json().get("messages")) {
        assertEquals(null, polled.put(m.get("id").asText(), m.get("data").toString()));
        ackIds.add(m.get("ackId").asText());
      }
      if (!ackIds.isEmpty()) {
        var acked = HTTP.request("POST", pollEdge.url() + "/v1/subscriptions/" + pollSub + "/ack",
            JSON.writeValueAsString(Map.of("ackIds", ackIds)));
        assertEquals(200, acked.status(), () -> "ack: " + acked.body());
      }
    }
    assertEquals(sent, polled);
    assertEquals(3, state(pollSub).get("acked").asLong());
  }

  @Test
  void publishesNearTheLimitThroughTheOtherNodesEdgeAreStored() throws Exception {
    String topic = newTopic(2);
    String sub = subscribe(topic, "read");
    UUID topicId = topicId(topic);

    // One message just under 1 MiB, and a batch of eight of them (an 8 MiB body), each sent
    // through the edge of the node that does not hold its partition.
    Map<String, String> sent = new HashMap<>();
    for (int p = 0; p < 2; p++) {
      TestNode edge = otherThan(partitionHost(topicId, p));
      String key = keyFor(p, 2, "single");
      String id = "near-" + p;
      String data = payload(id, 1024 * KIB - 300);
      sent.put(id, data);
      var r = HTTP.request("POST", edge.url() + "/v1/topics/" + topic + "/messages",
          message(id, key, data));
      assertEquals(200, r.status(), () -> "publish: " + r.body());
      assertEquals(p, r.json().get("results").get(0).get("partition").asInt());

      List<String> batch = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String bid = "batch-" + p + "-" + i;
        String bdata = payload(bid, 1024 * KIB - 300);
        sent.put(bid, bdata);
        batch.add(message(bid, key, bdata));
      }
      var b = HTTP.request("POST", edge.url() + "/v1/topics/" + topic + "/messages",
          "{\"messages\":[" + String.join(",", batch) + "]}");
      assertEquals(200, b.status(), () -> "batch publish: " + b.body());
      assertEquals(8, b.json().get("results").size());
      for (int i = 0; i < 8; i++) {
        JsonNode result = b.json().get("results").get(i);
        assertEquals("batch-" + p + "-" + i, result.get("id").asText());
        assertEquals(p, result.get("partition").asInt());
      }
    }

    // A thousand messages with the longest ids: the answer alone is ~300 KiB.
    TestNode edge = otherThan(partitionHost(topicId, 0));
    String key = keyFor(0, 2, "ids");
    List<String> ids = new ArrayList<>();
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String id = String.format("%04d-", i) + "i".repeat(251);
      ids.add(id);
      many.add(message(id, key, "1"));
    }
    var r = HTTP.request("POST", edge.url() + "/v1/topics/" + topic + "/messages",
        "{\"messages\":[" + String.join(",", many) + "]}");
    assertEquals(200, r.status(), () -> "publish of long ids: " + r.body());
    assertEquals(1000, r.json().get("results").size());
    for (int i = 0; i < 1000; i++) {
      assertEquals(ids.get(i), r.json().get("results").get(i).get("id").asText());
    }

    // Every large message reads back whole, through a consumer on either node.
    TestNode readEdge = otherThan(hostOf(sub));
    Map<String, String> got = new HashMap<>();
    try (FrameSocket ws = HTTP.frames(readEdge.url() + "/v1/subscriptions/" + sub + "/ws")) {
      int seen = 0;
      while (seen < sent.size() + 1000) {
        JsonNode m = ws.next("message");
        seen++;
        if (sent.containsKey(m.get("id").asText())) {
          assertEquals(null, got.put(m.get("id").asText(), m.get("data").toString()));
        }
        ws.ack(List.of(m.get("ackId").asText()));
      }
    }
    assertEquals(sent, got);
  }

  @Test
  void tenThousandLongAckIdsThroughTheOtherNodesEdgeAreAnswered() throws Exception {
    String topic = newTopic(1);
    String sub = subscribe(topic, "acks");
    TestNode edge = otherThan(hostOf(sub));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(String.format("0-%062d", i));
    }
    String body = JSON.writeValueAsString(Map.of("ackIds", ids));
    var acked = HTTP.request("POST", edge.url() + "/v1/subscriptions/" + sub + "/ack", body);
    assertEquals(200, acked.status(), () -> "ack: " + acked.body());
    assertEquals(0, acked.json().get("acked").asInt());
    var nacked = HTTP.request("POST", edge.url() + "/v1/subscriptions/" + sub + "/nack", body);
    assertEquals(200, nacked.status(), () -> "nack: " + nacked.body());
  }

  // ---- helpers ----

  /** Acks these deliveries and waits until every one of them is confirmed durable. */
  private static void ackAndAwaitConfirmed(FrameSocket ws, List<String> ackIds) throws Exception {
    ws.ack(ackIds);
    Set<String> confirmed = new HashSet<>();
    while (confirmed.size() < ackIds.size()) {
      ws.next("acked").get("ackIds").forEach(id -> confirmed.add(id.asText()));
    }
    assertEquals(new HashSet<>(ackIds), confirmed);
  }

  /** A JSON string of about {@code bytes} characters, starting with {@code tag}. */
  private static String payload(String tag, int bytes) {
    StringBuilder s = new StringBuilder(bytes + 2).append('"').append(tag).append(':');
    while (s.length() < bytes - 1) {
      s.append((char) ('a' + s.length() % 26));
    }
    return s.append('"').toString();
  }

  private static String newTopic(int partitions) {
    String topic = "xnode-" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(201,
        HTTP.request("PUT",
            first.url() + "/v1/topics/" + topic, "{\"partitions\":" + partitions + "}").status());
    return topic;
  }

  private static String subscribe(String topic, String suffix) {
    String sub = topic + "-" + suffix;
    var r = HTTP.request("PUT", first.url() + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"earliest\",\"ackDeadline\":\"PT60S\"}");
    assertEquals(201, r.status(), () -> "subscription: " + r.body());
    return sub;
  }

  private static JsonNode state(String sub) {
    return HTTP.request("GET", first.url() + "/v1/subscriptions/" + sub).json();
  }

  /** The node that runs the subscription, as its state tells. */
  private static TestNode hostOf(String sub) {
    String node = state(sub).get("node").asText();
    if (node.equals(first.remoting())) {
      return first;
    }
    assertEquals(second.remoting(), node);
    return second;
  }

  private static TestNode otherThan(TestNode node) {
    return node == first ? second : first;
  }

  /** Publishes one message through the edge of the node that holds its partition. */
  private static void publishOnOwner(String topic, String key, String id, String data)
      throws Exception {
    UUID topicId = topicId(topic);
    int partitions = topics.find(topic).toCompletableFuture().get(30, TimeUnit.SECONDS)
        .orElseThrow().partitions();
    TestNode owner = partitionHost(topicId, Partitioner.partitionForKey(key, partitions));
    var r = HTTP.request("POST", owner.url() + "/v1/topics/" + topic + "/messages",
        message(id, key, data));
    assertEquals(200, r.status(), () -> "publish: " + r.body());
  }

  /** One message object; {@code data} is JSON text, sent as it is. */
  private static String message(String id, String key, String data) {
    return "{\"id\":\"" + id + "\",\"key\":\"" + key + "\",\"data\":" + data + "}";
  }

  private static UUID topicId(String topic) throws Exception {
    return topics.find(topic).toCompletableFuture().get(30, TimeUnit.SECONDS).orElseThrow()
        .topicId();
  }

  /** The node whose shard region runs the partition's entity (waits for it to start). */
  private static TestNode partitionHost(UUID topicId, int partition) throws Exception {
    String entity = TopicPartitionEntity.entityId(topicId, partition);
    TestNode[] host = new TestNode[1];
    Await.until("partition " + partition + " running on a node", () -> {
      for (TestNode node : List.of(first, second)) {
        if (runs(node, entity)) {
          host[0] = node;
          return true;
        }
      }
      return false;
    });
    return host[0];
  }

  private static boolean runs(TestNode node, String entityId) {
    TestProbe<ShardRegion.CurrentShardRegionState> probe = TestProbe.create(node.system());
    var sharding = org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.get(node.system());
    sharding.shardState().tell(
        new GetShardRegionState(TopicPartitionEntity.ENTITY_TYPE_KEY, probe.getRef()));
    var state = probe.receiveMessage(Duration.ofSeconds(10));
    for (var shard : state.getShards()) {
      if (shard.getEntityIds().contains(entityId)) {
        return true;
      }
    }
    return false;
  }

  /** A key that the partitioner puts on {@code partition}. */
  private static String keyFor(int partition, int partitions, String prefix) {
    for (int i = 0; ; i++) {
      String key = prefix + "-" + i;
      if (Partitioner.partitionForKey(key, partitions) == partition) {
        return key;
      }
    }
  }
}
