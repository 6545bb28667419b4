package dev.courier.node.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.courier.persistence.LogEntry;
import dev.courier.persistence.SubscriptionNames;
import dev.courier.persistence.TopicLogReader;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.topic.PartitionNotice;
import dev.courier.protocol.topic.StoredMessage;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicPartitionCommand;
import dev.courier.protocol.topic.TopicSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The subscription entity on an in-memory journal: lifecycle, delivery, redelivery marks. */
class SubscriptionEntityTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          EventSourcedBehaviorTestKit.config()
              .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
              .withFallback(ConfigFactory.load()));

  private static final DeliverySettings SETTINGS =
      new DeliverySettings(Duration.ofHours(1), 10, 100, 1000, Duration.ofSeconds(1), 1000);

  private final UUID topicId = UUID.randomUUID();
  private final TopicInfo topic =
      new TopicInfo("orders", topicId, new TopicSettings(2, Duration.ofDays(1), Duration.ofDays(1)),
          Instant.parse("2026-01-01T00:00:00Z"));
  private final Map<Integer, List<StoredMessage>> log = new ConcurrentHashMap<>();
  private final List<TestProbe<TopicPartitionCommand>> partitions = new ArrayList<>();
  private EventSourcedBehaviorTestKit<SubscriptionCommand, SubscriptionEvent, SubscriptionState> kit;

  @BeforeEach
  void setUp() {
    partitions.clear();
    partitions.add(testKit.createTestProbe());
    partitions.add(testKit.createTestProbe());
    TopicLogReader reader =
        (id, partition, from, until, limit) ->
            CompletableFuture.completedFuture(
                log.getOrDefault(partition, List.of()).stream()
                    .filter(m -> m.offset() >= from && m.offset() < until)
                    .limit(limit)
                    .map(m -> new LogEntry(m, true))
                    .toList());
    SubscriptionNames names =
        new SubscriptionNames() {
          @Override
          public CompletableFuture<Void> register(String name, String t, Instant at) {
            return CompletableFuture.completedFuture(null);
          }

          @Override
          public CompletableFuture<Void> unregister(String name) {
            return CompletableFuture.completedFuture(null);
          }
        };
    var deps =
        new SubscriptionEntity.Dependencies(
            reader, names, (id, p) -> partitions.get(p).ref(), SETTINGS);
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), SubscriptionEntity.create("sub-" + UUID.randomUUID(), deps));
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private SubscriptionSettings settings() {
    return new SubscriptionSettings("orders", "earliest", Duration.ofSeconds(30), 100, false, 10,
        null, "backpressure", Duration.ofSeconds(5), null);
  }

  private SubscriptionReply create(SubscriptionSettings s) {
    return kit.<SubscriptionReply>runCommand(
            replyTo -> new SubscriptionCommand.Create(s, topic, List.of(0L, 0L), replyTo))
        .reply();
  }

  private void store(int partition, int count) {
    List<StoredMessage> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      messages.add(new StoredMessage("m-" + partition + "-" + i, null, partition, i,
          Instant.now(), Map.of(), "{\"n\":" + i + "}"));
    }
    log.put(partition, messages);
  }

  /** Answers every partition's Watch with its head, as a topic partition entity would. */
  private void answerWatches(long... heads) {
    for (int p = 0; p < partitions.size(); p++) {
      var watch = partitions.get(p).expectMessageClass(TopicPartitionCommand.Watch.class);
      watch.watcher().tell(
          new PartitionNotice.Watching(topicId, p, heads[p], partitions.get(p).ref()));
    }
  }

  private List<Delivery> receive(TestProbe<ConsumerMessage> consumer, int count) {
    List<Delivery> out = new ArrayList<>();
    while (out.size() < count) {
      var msg = consumer.expectMessageClass(ConsumerMessage.Deliveries.class);
      out.addAll(msg.deliveries());
    }
    return out;
  }

  /** Attaches a fresh consumer probe and checks the entity accepted it. */
  private TestProbe<ConsumerMessage> attach(int credit, String cursor, String streamId) {
    TestProbe<ConsumerMessage> consumer = testKit.createTestProbe();
    kit.runCommand(new SubscriptionCommand.Attach(consumer.ref(), ConsumerMode.CURSOR, credit, cursor, streamId));
    consumer.expectMessageClass(ConsumerMessage.Attached.class);
    return consumer;
  }

  /** A created subscription over partitions holding {@code counts} messages, watched. */
  private void createdOver(int... counts) {
    for (int p = 0; p < counts.length; p++) {
      store(p, counts[p]);
    }
    create(settings());
    long[] heads = new long[counts.length];
    for (int p = 0; p < counts.length; p++) {
      heads[p] = counts[p];
    }
    answerWatches(heads);
  }

  @Test
  void createIsIdempotentAndConflictsOnOtherSettings() {
    assertInstanceOf(SubscriptionReply.Created.class, create(settings()));
    assertInstanceOf(SubscriptionReply.Found.class, create(settings()));
    var other = new SubscriptionSettings("orders", "earliest", Duration.ofSeconds(10), 100, false,
        10, null, "backpressure", Duration.ofSeconds(5), null);
    assertInstanceOf(SubscriptionReply.Conflict.class, create(other));
  }

  @Test
  void unknownSubscriptionAnswersNotFoundAndClosesConsumers() {
    assertInstanceOf(SubscriptionReply.NotFound.class,
        kit.<SubscriptionReply>runCommand(SubscriptionCommand.Get::new).reply());
    TestProbe<ConsumerMessage> consumer = testKit.createTestProbe();
    kit.runCommand(new SubscriptionCommand.Attach(consumer.ref(), ConsumerMode.CURSOR, 10, null, null));
    consumer.expectMessageClass(ConsumerMessage.Closed.class);
  }

  @Test
  void deliversFromTheLogInOffsetOrderWithCursors() {
    createdOver(3, 2);
    TestProbe<ConsumerMessage> consumer = attach(10, null, null);
    List<Delivery> got = receive(consumer, 5);
    long last0 = -1;
    for (Delivery d : got) {
      assertEquals(1, d.record().deliveryAttempt());
      if (d.record().partition() == 0) {
        assertTrue(d.record().offset() > last0, "partition order");
        last0 = d.record().offset();
      }
    }
    assertEquals("3.2", got.get(got.size() - 1).cursor());
    var view = ((SubscriptionReply.Found)
        kit.<SubscriptionReply>runCommand(SubscriptionCommand.Get::new).reply()).view();
    assertEquals(5, view.delivered());
    assertEquals(0, view.backlog());
  }

  @Test
  void afterARestartWhatMayHaveBeenSentComesAgainMarkedAsRedelivery() {
    createdOver(4, 0);
    TestProbe<ConsumerMessage> consumer = attach(10, null, null);
    receive(consumer, 4);
    // Nothing was committed (the commit interval is an hour): a crash now repeats all four.
    kit.restart();
    answerWatches(4, 0);
    TestProbe<ConsumerMessage> again = attach(10, null, null);
    List<Delivery> repeated = receive(again, 4);
    for (Delivery d : repeated) {
      assertEquals(2, d.record().deliveryAttempt(), "a possible repeat says so");
    }
  }

  @Test
  void acksOfDeliveriesFromAnEarlierIncarnationAreDurableAndSkipped() {
    createdOver(3, 0);
    TestProbe<ConsumerMessage> consumer = attach(10, null, null);
    receive(consumer, 3);
    kit.restart();
    answerWatches(3, 0);
    var result =
        kit.<SubscriptionReply>runCommand(
            replyTo -> new SubscriptionCommand.Ack(List.of("0-1", "0-1", "9-9", "junk"), replyTo));
    assertEquals(new SubscriptionReply.AckResult(1, List.of()), result.reply());
    assertInstanceOf(SubscriptionEvent.Acked.class, result.event());
    TestProbe<ConsumerMessage> again = attach(10, null, null);
    List<Long> offsets = receive(again, 2).stream().map(d -> d.record().offset()).toList();
    assertEquals(List.of(0L, 2L), offsets, "the acked offset is not delivered again");
  }

  @Test
  void seekMovesThePositionAndReplays() {
    createdOver(3, 0);
    TestProbe<ConsumerMessage> consumer = attach(10, null, null);
    receive(consumer, 3);
    var seek =
        kit.<SubscriptionReply>runCommand(
            replyTo -> new SubscriptionCommand.Seek(List.of(1L, 0L), replyTo));
    assertEquals(new SubscriptionReply.Seeked("1.0"), seek.reply());
    List<Delivery> replay = receive(consumer, 2);
    assertEquals(List.of(1L, 2L), replay.stream().map(d -> d.record().offset()).toList());
    assertEquals(2, replay.get(0).record().deliveryAttempt());
  }

  @Test
  void aReconnectOfTheSameStreamReplacesTheStaleAttachment() {
    createdOver(3, 0);
    TestProbe<ConsumerMessage> stale = attach(10, null, "s1");
    receive(stale, 3);
    TestProbe<ConsumerMessage> other = attach(10, null, "s2");
    TestProbe<ConsumerMessage> fresh = testKit.createTestProbe();
    kit.runCommand(new SubscriptionCommand.Attach(fresh.ref(), ConsumerMode.CURSOR, 10, "1.0", "s1"));
    stale.expectMessageClass(ConsumerMessage.Closed.class);
    fresh.expectMessageClass(ConsumerMessage.Attached.class);
    var view = ((SubscriptionReply.Found)
        kit.<SubscriptionReply>runCommand(SubscriptionCommand.Get::new).reply()).view();
    assertEquals(2, view.consumers(), "the other stream of the group stays attached");
  }

  @Test
  void creditBoundsWhatIsOutstanding() {
    createdOver(5, 0);
    TestProbe<ConsumerMessage> consumer = attach(2, null, null);
    assertEquals(2, receive(consumer, 2).size());
    consumer.expectNoMessage(Duration.ofMillis(200));
    ActorRef<ConsumerMessage> ref = consumer.ref();
    kit.runCommand(new SubscriptionCommand.Demand(ref, 3));
    assertEquals(3, receive(consumer, 3).size());
  }
}
