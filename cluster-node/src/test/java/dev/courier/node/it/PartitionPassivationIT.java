package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.courier.node.topic.TopicPartitionEntity;
import dev.courier.persistence.cassandra.RealCassandra;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Topic partitions leave memory: after {@code passivate-after} with no watcher and no request, and
 * at once when their topic is deleted; a later publish starts one again from Cassandra.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PartitionPassivationIT {

  @Test
  void anIdlePartitionPassivatesAndComesBackOnThenextPublish() throws Exception {
    try (TestNode node = TestNode.start("courier.topic-partition.passivate-after = 3s")) {
      String topic = "idle-" + UUID.randomUUID().toString().substring(0, 8);
      assertEquals(201, HTTP.request("PUT",
          node.url() + "/v1/topics/" + topic, "{\"partitions\":2}").status());
      String mine = topicId(topic);
      publish(node, topic, "a");
      assertEquals(1, running(node, mine), "the publish started its partition");
      Await.until("the idle partition to passivate", () -> running(node, mine) == 0);
      var again = HTTP.request("POST", node.url() + "/v1/topics/" + topic + "/messages",
          "{\"id\":\"a\",\"key\":\"a\",\"data\":1}");
      assertEquals(200, again.status());
      assertEquals(true, again.json().get("results").get(0).get("duplicate").asBoolean(),
          "started again from Cassandra, with its dedup memory");
    }
  }

  @Test
  void aDeletedTopicsPartitionsStopAtOnce() throws Exception {
    try (TestNode node = TestNode.start()) {
      String topic = "retire-" + UUID.randomUUID().toString().substring(0, 8);
      assertEquals(201, HTTP.request("PUT",
          node.url() + "/v1/topics/" + topic, "{\"partitions\":3}").status());
      for (int i = 0; i < 12; i++) {
        publish(node, topic, "m-" + i);
      }
      String mine = topicId(topic);
      assertEquals(3, running(node, mine), "twelve keys started every partition");
      assertEquals(204, HTTP.request("DELETE", node.url() + "/v1/topics/" + topic, null).status());
      Await.until("the deleted topic's partitions to stop", () -> running(node, mine) == 0);
    }
  }

  private static void publish(TestNode node, String topic, String id) {
    assertEquals(200, HTTP.request("POST", node.url() + "/v1/topics/" + topic + "/messages",
        "{\"id\":\"" + id + "\",\"key\":\"" + id + "\",\"data\":1}").status());
  }

  private static String topicId(String topic) {
    try (var cql = RealCassandra.newSession()) {
      return cql.execute("SELECT topic_id FROM courier.topics WHERE name = ?", topic)
          .one().getUuid(0).toString();
    }
  }

  /** How many of the topic's partitions run on this node. */
  private static long running(TestNode node, String topicId) {
    return partitions(node).stream().filter(id -> id.startsWith(topicId + "~")).count();
  }

  /** The ids of the topic partition entities running on this node. */
  private static Set<String> partitions(TestNode node) {
    try {
      ShardRegion.CurrentShardRegionState state = AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
              ClusterSharding.get(node.system()).shardState(),
              replyTo -> new GetShardRegionState(TopicPartitionEntity.ENTITY_TYPE_KEY, replyTo),
              Duration.ofSeconds(10),
              node.system().scheduler())
          .toCompletableFuture()
          .get(15, TimeUnit.SECONDS);
      Set<String> ids = new HashSet<>();
      state.getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
      return ids;
    } catch (Exception e) {
      throw new IllegalStateException("shard region state not answered", e);
    }
  }
}
