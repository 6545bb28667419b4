package dev.courier.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.node.topic.TopicPartitionEntity;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.PartitionHead;
import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicPartitionCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
  private static PartitionStores stores;

  @BeforeAll
  static void start() {
    stores = PartitionStores.open("courier.topic-partition.stash-capacity = 2");
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    stores.close();
  }

  @Test
  void publishesPastAStartingPartitionsStashAreAnsweredOverloadedAndNothingIsLost()
      throws Exception {
    // The publishes race the partition's start: on a fast Cassandra the start can win, and then
    // nothing overflows (every publish is still answered). A fresh partition is tried again.
    int overloaded = 0;
    for (int attempt = 0; attempt < 5 && overloaded == 0; attempt++) {
      overloaded = publishIntoAStartingPartition();
    }
    assertTrue(overloaded >= 1, "the stash of 2 overflowed in one of five starts");
  }

  /** Every publish answered and the head exact, on a new partition; how many were Overloaded. */
  private int publishIntoAStartingPartition() throws Exception {
    TopicInfo topic = stores.newTopic("stash-");
    ActorRef<TopicPartitionCommand> partition = testKit.spawn(TopicPartitionEntity.create(
        TopicPartitionEntity.entityId(topic.topicId(), 0), testKit.system().ignoreRef(),
        stores.log, stores.dedup, stores.latest, stores.settings));
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
    assertEquals(40, stored + overloaded, "every publish answered");
    // The head request past the stash came back to the partition once it had started and was
    // answered (before or after the stored ones were written); asked now, it counts them exactly.
    long early = head.receiveMessage(Duration.ofSeconds(30)).nextOffset();
    assertTrue(early >= 0 && early <= stored, "head " + early);
    partition.tell(new TopicPartitionCommand.GetHead(head.getRef()));
    assertEquals(stored, head.receiveMessage(Duration.ofSeconds(30)).nextOffset());
    return overloaded;
  }
}
