package dev.courier.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.courier.node.topic.TopicPartitionEntity;
import dev.courier.node.topic.TopicPartitionSettings;
import dev.courier.persistence.DedupStore;
import dev.courier.persistence.LatestStore;
import dev.courier.persistence.LogEntry;
import dev.courier.persistence.TopicLogStore;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.PartitionHead;
import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.PublishResult;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicPartitionCommand;
import java.time.Duration;
import java.util.ArrayList;
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
 * Two owners of one topic partition at once (a node paused by GC, or the other side of a split
 * brain, still runs its partition while sharding has started it elsewhere), on the real
 * Cassandra: the newer owner's epoch fences the older one out, nothing either answered as stored
 * is lost or reordered, and a retry's "duplicate" always names a message the log holds.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TwoPartitionOwnersIT {
  private static ActorTestKit testKit;
  private static PartitionStores stores;
  private static CqlSession session;
  private static TopicLogStore log;
  private static DedupStore dedup;
  private static LatestStore latest;
  private static TopicPartitionSettings settings;

  @BeforeAll
  static void start() {
    stores = PartitionStores.open("");
    session = stores.session;
    log = stores.log;
    dedup = stores.dedup;
    latest = stores.latest;
    settings = stores.settings;
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    stores.close();
  }

  private static TopicInfo newTopic() throws Exception {
    return stores.newTopic("owners-");
  }

  private static List<NewMessage> messages(String prefix, int count) {
    List<NewMessage> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      messages.add(new NewMessage(prefix + i, "k" + (i % 4), "{\"n\":" + i + "}", Map.of(), true));
    }
    return messages;
  }

  private static PublishReply publish(
      ActorRef<TopicPartitionCommand> owner, TopicInfo topic, List<NewMessage> messages) {
    TestProbe<PublishReply> probe = testKit.createTestProbe();
    owner.tell(new TopicPartitionCommand.Publish(topic, messages, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(30));
  }

  private static long head(ActorRef<TopicPartitionCommand> owner) {
    TestProbe<PartitionHead> probe = testKit.createTestProbe();
    owner.tell(new TopicPartitionCommand.GetHead(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(30)).nextOffset();
  }

  private static ActorRef<TopicPartitionCommand> owner(TopicInfo topic) {
    return testKit.spawn(
        TopicPartitionEntity.create(
            TopicPartitionEntity.entityId(topic.topicId(), 0), testKit.system().ignoreRef(), log,
            dedup, latest, settings));
  }

  @Test
  void onlyTheNewerOwnerWritesAndEveryDuplicateNamesAStoredMessage() throws Exception {
    TopicInfo topic = newTopic();
    ActorRef<TopicPartitionCommand> older = owner(topic);
    var first = assertInstanceOf(PublishReply.Published.class, publish(older, topic, messages("a-", 10)));
    assertEquals(10, head(older));

    // A second owner starts while the first still runs.
    ActorRef<TopicPartitionCommand> newer = owner(topic);
    assertEquals(10, head(newer));
    var second = assertInstanceOf(PublishReply.Published.class, publish(newer, topic, messages("b-", 10)));
    assertEquals(10, second.results().get(0).offset());

    // The older owner's next commit is refused, and it stops.
    PublishReply refused = publish(older, topic, messages("c-", 10));
    assertInstanceOf(PublishReply.Failed.class, refused);
    TestProbe<Object> watcher = testKit.createTestProbe();
    watcher.expectTerminated(older, Duration.ofSeconds(10));

    // The producer retries everything on the newer owner.
    List<NewMessage> retry = new ArrayList<>(messages("a-", 10));
    retry.addAll(messages("c-", 10));
    var retried = assertInstanceOf(PublishReply.Published.class, publish(newer, topic, retry));
    for (int i = 0; i < 10; i++) {
      PublishResult r = retried.results().get(i);
      assertTrue(r.duplicate());
      assertEquals(first.results().get(i).offset(), r.offset());
    }
    for (int i = 10; i < 20; i++) {
      assertFalse(retried.results().get(i).duplicate(), "the refused commit was never stored");
      assertEquals(10 + i, retried.results().get(i).offset());
    }

    // The log: a-0..9, b-0..9, c-0..9 at offsets 0..29, in order; every duplicate answer names
    // a message a subscription reads at that offset.
    List<LogEntry> stored =
        log.read(topic.topicId(), 0, 0, 1000, 1000).toCompletableFuture().get(30, TimeUnit.SECONDS);
    List<String> expected = new ArrayList<>();
    for (String prefix : List.of("a-", "b-", "c-")) {
      for (int i = 0; i < 10; i++) {
        expected.add(prefix + i);
      }
    }
    assertEquals(expected, stored.stream().map(e -> e.message().id()).toList());
    for (int i = 0; i < stored.size(); i++) {
      assertEquals(i, stored.get(i).message().offset());
    }
    for (PublishResult r : retried.results()) {
      assertEquals(r.id(), stored.get((int) r.offset()).message().id());
    }
    testKit.stop(newer);
  }

  @Test
  void aCommitInFlightWhenANewOwnerStartsIsEitherStoredAndSeenOrRefused() throws Exception {
    for (int round = 0; round < 5; round++) {
      TopicInfo topic = newTopic();
      ActorRef<TopicPartitionCommand> older = owner(topic);
      assertInstanceOf(PublishReply.Published.class, publish(older, topic, messages("a-", 5)));
      TestProbe<PublishReply> inFlight = testKit.createTestProbe();
      older.tell(new TopicPartitionCommand.Publish(topic, messages("late-", 50), inFlight.getRef()));
      ActorRef<TopicPartitionCommand> newer = owner(topic);
      long newerHead = head(newer);
      PublishReply late = inFlight.receiveMessage(Duration.ofSeconds(30));
      if (late instanceof PublishReply.Published) {
        assertEquals(55, newerHead, "an answered commit is in the newer owner's log");
      } else {
        assertInstanceOf(PublishReply.Failed.class, late);
      }
      // A retry on the newer owner: a duplicate only for what the log holds.
      var retried = assertInstanceOf(
          PublishReply.Published.class, publish(newer, topic, messages("late-", 50)));
      List<LogEntry> stored = log.read(topic.topicId(), 0, 0, 1000, 1000)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(55, stored.size(), "each late message stored exactly once");
      for (PublishResult r : retried.results()) {
        assertEquals(r.id(), stored.get((int) r.offset()).message().id());
      }
      testKit.stop(newer);
      testKit.stop(older);
    }
  }
}
