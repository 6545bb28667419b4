package dev.courier.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.courier.node.NodeConfig;
import dev.courier.node.topic.TopicPartitionEntity;
import dev.courier.node.topic.TopicPartitionSettings;
import dev.courier.persistence.CourierSchema;
import dev.courier.persistence.DedupStore;
import dev.courier.persistence.LatestStore;
import dev.courier.persistence.TopicLogStore;
import dev.courier.persistence.TopicStore;
import dev.courier.persistence.cassandra.RealCassandra;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.PartitionHead;
import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicPartitionCommand;
import dev.courier.protocol.topic.TopicSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A topic partition whose start-up stash (2 commands here) overflows while it takes its epoch and
 * reads its head from the real Cassandra: every publish is answered, stored or Overloaded (429
 * with Retry-After at the edge), never left waiting, and a head request past the stash is not
 * lost but answered once the partition has started.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PartitionStashOverflowIT {
  private static ActorTestKit testKit;
  private static CqlSession session;
  private static TopicPartitionSettings settings;
  private static TopicLogStore log;
  private static DedupStore dedup;
  private static LatestStore latest;

  @BeforeAll
  static void start() {
    var config = NodeConfig.load(com.typesafe.config.ConfigFactory.parseString("""
        courier.cassandra.embedded.mode = off
        courier.topic-partition.stash-capacity = 2
        """));
    session = RealCassandra.newSession();
    for (String cql : CourierSchema.fromConfig(config).statements()) {
      session.execute(SimpleStatement.newInstance(cql).setTimeout(Duration.ofSeconds(60)));
    }
    log = new TopicLogStore(session, "courier", 256 * 1024, 64L << 20);
    dedup = new DedupStore(session, "courier");
    latest = new LatestStore(session, "courier", 256 * 1024);
    settings = TopicPartitionSettings.fromConfig(config);
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    session.close();
  }

  @Test
  void publishesPastAStartingPartitionsStashAreAnsweredOverloadedAndNothingIsLost()
      throws Exception {
    TopicInfo topic = new TopicStore(session, "courier")
        .create("stash-" + UUID.randomUUID().toString().substring(0, 8),
            new TopicSettings(1, TopicSettings.DEFAULT_RETENTION,
                TopicSettings.DEFAULT_DEDUP_WINDOW))
        .toCompletableFuture().get(30, TimeUnit.SECONDS).topic();
    ActorRef<TopicPartitionCommand> partition = testKit.spawn(TopicPartitionEntity.create(
        TopicPartitionEntity.entityId(topic.topicId(), 0), testKit.system().ignoreRef(), log,
        dedup, latest, settings));
    TestProbe<PublishReply> replies = testKit.createTestProbe();
    TestProbe<PartitionHead> head = testKit.createTestProbe();
    // All of these arrive while the partition reads its head back from Cassandra.
    for (int i = 0; i < 40; i++) {
      partition.tell(new TopicPartitionCommand.Publish(topic,
          List.of(new NewMessage("s-" + i, null, "{\"n\":" + i + "}", Map.of(), true)),
          replies.getRef()));
    }
    partition.tell(new TopicPartitionCommand.GetHead(head.getRef()));

    int stored = 0;
    int overloaded = 0;
    for (int i = 0; i < 40; i++) {
      PublishReply reply = replies.receiveMessage(Duration.ofSeconds(30));
      if (reply instanceof PublishReply.Published) {
        stored++;
      } else {
        assertTrue(reply instanceof PublishReply.Overloaded, reply.toString());
        overloaded++;
      }
    }
    assertTrue(overloaded >= 1, "the stash of 2 overflowed");
    assertEquals(40, stored + overloaded, "every publish answered");
    // The head request past the stash came back to the partition once it had started and was
    // answered (before or after the stored ones were written); asked now, it counts them exactly.
    long early = head.receiveMessage(Duration.ofSeconds(30)).nextOffset();
    assertTrue(early >= 0 && early <= stored, "head " + early);
    partition.tell(new TopicPartitionCommand.GetHead(head.getRef()));
    assertEquals(stored, head.receiveMessage(Duration.ofSeconds(30)).nextOffset());
  }
}
