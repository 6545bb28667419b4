package dev.courier.node.subscription;

import dev.courier.protocol.security.ClusterKey;
import dev.courier.protocol.subscription.AckId;
import dev.courier.protocol.subscription.AckIdKey;
import java.util.Optional;
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
import dev.courier.protocol.subscription.Cursor;
import dev.courier.protocol.subscription.SettingsChange;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.topic.PartitionNotice;
import dev.courier.protocol.topic.StoredMessage;
import dev.courier.protocol.topic.TopicInfo;
import dev.courier.protocol.topic.TopicPartitionCommand;
import dev.courier.protocol.topic.TopicSettings;
import dev.courier.protocol.topic.NewMessage;
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

/** The subscription entity (the shell around the delivery core) on an in-memory journal. */
class SubscriptionEntityTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          EventSourcedBehaviorTestKit.config()
              .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
              .withFallback(ConfigFactory.load()));

  private static final DeliverySettings SETTINGS =
      new DeliverySettings(
          Duration.ofHours(1), 10, 100, 1000, Duration.ofSeconds(1), 1000, Duration.ofMillis(20),
          10, Duration.ofMillis(5), Duration.ofSeconds(2), Duration.ofMillis(50),
          Duration.ofMillis(250), Duration.ofMillis(300), Duration.ofSeconds(2),
          CoreFixture.BATCH_BYTES, 1000, 10_000);

  private final UUID topicId = UUID.randomUUID();
  private final TopicInfo topic =
      new TopicInfo("orders", topicId, new TopicSettings(2, Duration.ofDays(1), Duration.ofDays(1)),
          Instant.parse("2026-01-01T00:00:00Z"));
  private final Map<Integer, List<StoredMessage>> log = new ConcurrentHashMap<>();
  private final List<TestProbe<TopicPartitionCommand>> partitions = new ArrayList<>();
  private final List<String> deadLetterTopics = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<NewMessage> deadLetters = new java.util.concurrent.CopyOnWriteArrayList<>();
  private SubscriptionSettings subscriptionSettings = settings();
  private final String subscriptionName = "sub-" + UUID.randomUUID();
  private static final AckIdKey ACK_IDS = AckIdKey.of(ClusterKey.generate());
  private final Map<Integer, ActorRef<PartitionNotice>> watchers = new ConcurrentHashMap<>();
  private EventSourcedBehaviorTestKit<SubscriptionCommand, SubscriptionEvent, SubscriptionState> kit;

  @BeforeEach
  void setUp() {
    setUp(SETTINGS);
  }

  /** A fresh entity (and partition probes) with these delivery settings. */
  private void setUp(DeliverySettings deliverySettings) {
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
            reader,
            newestOf(log),
            names,
            (id, p) -> partitions.get(p).ref(),
            names,
            (t, m) -> {
              deadLetterTopics.add(t);
              deadLetters.add(m);
              return CompletableFuture.completedFuture(null);
            },
            PushLauncher.NONE,
            deliverySettings,
            ACK_IDS);
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(), SubscriptionEntity.create(subscriptionName, deps));
  }

  /** The newest offset per key, from the in-memory log. */
  private static dev.courier.persistence.LatestReader newestOf(
      Map<Integer, List<StoredMessage>> log) {
    return (id, partition, keys) -> {
      Map<String, Long> out = new java.util.HashMap<>();
      for (StoredMessage m : log.getOrDefault(partition, List.of())) {
        if (m.key() != null && keys.contains(m.key())) {
          out.merge(m.key(), m.offset(), Math::max);
        }
      }
      return CompletableFuture.completedFuture(out);
    };
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static com.fasterxml.jackson.databind.JsonNode json(String text) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError(text, e);
    }
  }

  private SubscriptionSettings settings() {
    return new SubscriptionSettings("orders", "earliest", Duration.ofSeconds(30), 100, false, 10,
        null, "backpressure", Duration.ofSeconds(5), null);
  }

  private SubscriptionReply create(SubscriptionSettings s) {
    return kit.<SubscriptionReply>runCommand(
            replyTo -> new SubscriptionCommand.Create(s, topic, List.of(0L, 0L), List.of(), replyTo))
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
      watchers.put(p, watch.watcher());
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
    create(subscriptionSettings);
    long[] heads = new long[counts.length];
    for (int p = 0; p < counts.length; p++) {
      heads[p] = counts[p];
    }
    answerWatches(heads);
  }

  @Test
  void aWatchNoPartitionAnswersIsSentAgainUntilOneDoes() {
    store(0, 3);
    store(1, 0);
    create(subscriptionSettings);
    // The first watches are lost on their way: no partition answers them.
    for (TestProbe<TopicPartitionCommand> partition : partitions) {
      partition.expectMessageClass(TopicPartitionCommand.Watch.class);
    }
    // They come again, and this time the partitions answer: delivery starts.
    answerWatches(3, 0);
    TestProbe<ConsumerMessage> consumer = attach(10, null, null);
    assertEquals(3, receive(consumer, 3).size());
    // Answered watches are not sent again.
    partitions.get(0).expectNoMessage(Duration.ofMillis(700));
  }

  @Test
  void aQuietPartitionIsAskedForItsHeadSoALostNoticeDelaysItsMessagesOnly() {
    createdOver(2, 0);
    TestProbe<ConsumerMessage> consumer = attach(10, null, null);
    assertEquals(2, receive(consumer, 2).size());
    // Two more messages are stored on partition 0, and their append notice is lost on its way.
    store(0, 4);
    // Quiet for a head check, the partition is asked for its head; its answer brings them.
    var watch = partitions.get(0).expectMessageClass(
        TopicPartitionCommand.Watch.class, Duration.ofSeconds(6));
    watch.watcher().tell(new PartitionNotice.Watching(topicId, 0, 4, partitions.get(0).ref()));
    assertEquals(List.of(2L, 3L),
        receive(consumer, 2).stream().map(d -> d.record().offset()).toList());
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
    assertTrue(got.get(got.size() - 1).cursor().endsWith(":3.2"), "positions behind the topic's tag");
    var view = ((SubscriptionReply.Found)
        kit.<SubscriptionReply>runCommand(SubscriptionCommand.Get::new).reply()).view();
    assertEquals(5, view.delivered());
    assertEquals(0, view.backlog());
  }

  @Test
  void dropOldestSkipsArePersistedAndStaySkippedAfterARestart() {
    subscriptionSettings = new SubscriptionSettings("orders", "earliest", Duration.ofSeconds(30),
        100, false, 10, null, "drop-oldest", 2, Duration.ofSeconds(5), null);
    createdOver(5, 0);
    // The skips are written with the next ack write, after the ack linger.
    testKit.createTestProbe().awaitAssert(
        Duration.ofSeconds(5), () -> {
          assertEquals(3, view().skipped());
          return null;
        });
    kit.restart();
    answerWatches(5, 0);
    assertEquals(3, view().skipped());
    TestProbe<ConsumerMessage> consumer = attach(10, null, null);
    assertEquals(List.of(3L, 4L),
        receive(consumer, 2).stream().map(d -> d.record().offset()).toList());
  }

  @Test
  void aSettingsChangeIsPersistedAndAnInvalidOneRefused() {
    createdOver(0, 0);
    var change = new SettingsChange("latest", null, Duration.ofSeconds(2), Duration.ofSeconds(9),
        7, 4);
    var reply = kit.<SubscriptionReply>runCommand(
        replyTo -> new SubscriptionCommand.ChangeSettings(change, replyTo));
    assertInstanceOf(SubscriptionEvent.SettingsChanged.class, reply.event());
    SubscriptionSettings changed = ((SubscriptionReply.Found) reply.reply()).view().settings();
    assertEquals(7, changed.maxInFlight());
    assertTrue(changed.conflates());
    var refused = kit.<SubscriptionReply>runCommand(replyTo -> new SubscriptionCommand.ChangeSettings(
        new SettingsChange("drop-oldest", null, null, null, null, null), replyTo));
    assertInstanceOf(SubscriptionReply.Invalid.class, refused.reply());
    assertTrue(refused.hasNoEvents());
    kit.restart();
    answerWatches(0, 0);
    assertEquals(changed, view().settings());
  }

  @Test
  void aKeyedSnapshotDeliversEachKeysNewestBeforeItsBoundary() {
    List<StoredMessage> messages = new ArrayList<>();
    String[] keys = {"a", "b", "a", null, "b", "c"};
    for (int i = 0; i < keys.length; i++) {
      messages.add(new StoredMessage("m-" + i, keys[i], 0, i, Instant.now(), Map.of(), "{}"));
    }
    log.put(0, messages);
    kit.<SubscriptionReply>runCommand(replyTo -> new SubscriptionCommand.Create(
        settings(), topic, List.of(0L, 0L), List.of(6L, 0L), replyTo));
    answerWatches(6, 0);
    TestProbe<ConsumerMessage> consumer = attach(10, null, null);
    assertEquals(List.of(2L, 4L, 5L),
        receive(consumer, 3).stream().map(d -> d.record().offset()).toList());
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
    String one = ackId(0, 1, 1);
    var result =
        kit.<SubscriptionReply>runCommand(
            replyTo -> new SubscriptionCommand.Ack(
                List.of(one, one, ackId(9, 9, 1), "0-2", "junk"), replyTo));
    assertEquals(new SubscriptionReply.AckResult(1, List.of(one)), result.reply(),
        "a repeat, a partition the topic lacks, an unsealed id and junk are ignored");
    TestProbe<ConsumerMessage> again = attach(10, null, null);
    List<Long> offsets = receive(again, 2).stream().map(d -> d.record().offset()).toList();
    assertEquals(List.of(0L, 2L), offsets, "the acked offset is not delivered again");
  }

  @Test
  void anEarlierIncarnationsAckStillBeingWrittenKeepsItsMessageFromBeingLeasedAgain() {
    subscriptionSettings = leaseSettings(Duration.ofMinutes(1), false, 10, null);
    createdOver(3, 0);
    receive(attachLease(10), 3);
    kit.restart();
    answerWatches(3, 0);
    TestProbe<ConsumerMessage> consumer = attachLease(1);
    assertEquals(0L, receive(consumer, 1).get(0).record().offset(), "the read is under way");
    // The client acks offset 1, which it got from the earlier incarnation; the ack lingers
    // before it is written, and meanwhile the consumer makes room for more.
    TestProbe<SubscriptionReply> ackReply = testKit.createTestProbe();
    String one = ackId(0, 1, 1);
    kit.runCommand(new SubscriptionCommand.Ack(List.of(one), ackReply.ref()));
    kit.runCommand(new SubscriptionCommand.Window(consumer.ref(), 10));
    assertEquals(List.of(2L), receive(consumer, 1).stream().map(d -> d.record().offset()).toList(),
        "offset 1 is acked: it is not leased again while its ack is being written");
    assertEquals(new SubscriptionReply.AckResult(1, List.of(one)),
        ackReply.expectMessageClass(SubscriptionReply.AckResult.class));
    consumer.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void anAttachRepeatedByAnAttachedConsumerDoesNotMoveTheSubscriptionBack() {
    createdOver(3, 0);
    String start = new Cursor(List.of(0L, 0L)).encode();
    TestProbe<ConsumerMessage> consumer = attach(10, start, "s1");
    receive(consumer, 3);
    kit.runCommand(
        new SubscriptionCommand.Attach(consumer.ref(), ConsumerMode.CURSOR, 10, start, "s1"));
    consumer.expectMessageClass(ConsumerMessage.Attached.class);
    consumer.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void seekMovesThePositionAndReplays() {
    createdOver(3, 0);
    TestProbe<ConsumerMessage> consumer = attach(10, null, null);
    receive(consumer, 3);
    var seek =
        kit.<SubscriptionReply>runCommand(
            replyTo -> new SubscriptionCommand.Seek(List.of(1L, 0L), replyTo));
    assertTrue(((SubscriptionReply.Seeked) seek.reply()).cursor().endsWith(":1.0"));
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

  // ---- lease consumers ----

  private SubscriptionSettings leaseSettings(
      Duration ackDeadline, boolean ordered, int maxDeliveries, String deadLetterTopic) {
    return new SubscriptionSettings("orders", "earliest", ackDeadline, 100, ordered,
        maxDeliveries, deadLetterTopic, "backpressure", Duration.ofSeconds(5), null);
  }

  private TestProbe<ConsumerMessage> attachLease(int window) {
    TestProbe<ConsumerMessage> consumer = testKit.createTestProbe();
    kit.runCommand(
        new SubscriptionCommand.Attach(consumer.ref(), ConsumerMode.LEASE, window, null, null));
    consumer.expectMessageClass(ConsumerMessage.Attached.class);
    return consumer;
  }

  /** The ack id this subscription mints for a delivery (as a client would have been given it). */
  private String ackId(int partition, long offset, int attempt) {
    return ACK_IDS.forSubscription(subscriptionName, view().createdAt())
        .mint(partition, offset, attempt);
  }

  private SubscriptionReply ack(String... ids) {
    return kit.<SubscriptionReply>runCommand(
            replyTo -> new SubscriptionCommand.Ack(List.of(ids), replyTo))
        .reply();
  }

  private SubscriptionReply nack(Duration delay, String... ids) {
    return kit.<SubscriptionReply>runCommand(
            replyTo -> new SubscriptionCommand.Nack(List.of(ids), delay, replyTo))
        .reply();
  }

  private dev.courier.protocol.subscription.SubscriptionView view() {
    return ((SubscriptionReply.Found)
            kit.<SubscriptionReply>runCommand(SubscriptionCommand.Get::new).reply())
        .view();
  }

  @Test
  void aLeaseConsumerHoldsNoMoreThanItsWindowAndAcksMakeRoom() {
    subscriptionSettings = leaseSettings(Duration.ofMinutes(1), false, 10, null);
    createdOver(5, 0);
    TestProbe<ConsumerMessage> consumer = attachLease(2);
    List<Delivery> first = receive(consumer, 2);
    consumer.expectNoMessage(Duration.ofMillis(200));
    assertEquals(2, view().inFlight());
    var acked = ack(first.get(0).record().ackId(), ackId(0, 99, 1), "0-1", "bogus");
    assertEquals(
        new SubscriptionReply.AckResult(1, List.of(first.get(0).record().ackId())), acked);
    assertEquals(1, receive(consumer, 1).size(), "one ack makes room for one message");
    assertEquals(
        new SubscriptionReply.AckResult(0, List.of(first.get(0).record().ackId())),
        ack(first.get(0).record().ackId()),
        "acking again is durable but not counted");
    var v = view();
    assertEquals(1, v.acked());
    assertEquals(2, v.inFlight());
    assertEquals(2, v.backlog());
  }

  @Test
  void aNackRedeliversAfterItsDelayWithTheNextAttempt() {
    subscriptionSettings = leaseSettings(Duration.ofMinutes(1), false, 10, null);
    createdOver(1, 0);
    TestProbe<ConsumerMessage> consumer = attachLease(10);
    Delivery d = receive(consumer, 1).get(0);
    assertEquals(new SubscriptionReply.Nacked(1), nack(Duration.ofMillis(300), d.record().ackId()));
    consumer.expectNoMessage(Duration.ofMillis(150));
    Delivery again = receive(consumer, 1).get(0);
    assertEquals(d.record().offset(), again.record().offset());
    assertEquals(2, again.record().deliveryAttempt());
    assertEquals(1, view().redelivered());
  }

  @Test
  void anExpiredLeaseIsDeliveredAgain() {
    subscriptionSettings = leaseSettings(Duration.ofMillis(200), false, 10, null);
    createdOver(1, 0);
    TestProbe<ConsumerMessage> consumer = attachLease(10);
    assertEquals(1, receive(consumer, 1).get(0).record().deliveryAttempt());
    Delivery again = receive(consumer, 1).get(0);
    assertEquals(2, again.record().deliveryAttempt());
    assertEquals(0L, again.record().offset());
  }

  @Test
  void aDepartingConsumersLeasesGoToTheOthersAtOnce() {
    subscriptionSettings = leaseSettings(Duration.ofMinutes(10), false, 10, null);
    createdOver(2, 0);
    TestProbe<ConsumerMessage> leaving = attachLease(10);
    receive(leaving, 2);
    TestProbe<ConsumerMessage> staying = attachLease(10);
    kit.runCommand(new SubscriptionCommand.Detach(leaving.ref()));
    List<Delivery> moved = receive(staying, 2);
    assertEquals(List.of(0L, 1L), moved.stream().map(d -> d.record().offset()).sorted().toList());
    moved.forEach(d -> assertEquals(2, d.record().deliveryAttempt()));
  }

  @Test
  void outOfAttemptsAMessageGoesToTheDeadLetterTopicAndIsDone() {
    subscriptionSettings = leaseSettings(Duration.ofMinutes(1), false, 2, "orders-dlq");
    createdOver(1, 0);
    TestProbe<ConsumerMessage> consumer = attachLease(10);
    nack(Duration.ZERO, receive(consumer, 1).get(0).record().ackId());
    Delivery second = receive(consumer, 1).get(0);
    assertEquals(2, second.record().deliveryAttempt());
    nack(Duration.ZERO, second.record().ackId());
    consumer.expectNoMessage(Duration.ofMillis(200));
    assertEquals(List.of("orders-dlq"), deadLetterTopics);
    NewMessage letter = deadLetters.get(0);
    assertEquals("m-0-0@" + subscriptionName, letter.id(), "one record per subscription");
    assertEquals("m-0-0", letter.attributes().get("courier.id"));
    assertEquals("{\"n\":0}", letter.data());
    assertEquals("2", letter.attributes().get("courier.deliveryAttempts"));
    assertEquals(subscriptionName, letter.attributes().get("courier.subscription"));
    var v = view();
    assertEquals(1, v.deadLettered());
    assertEquals(0, v.inFlight());
    kit.restart();
    answerWatches(1, 0);
    TestProbe<ConsumerMessage> after = attachLease(10);
    after.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void anOrderedSubscriptionNeverHasTwoMessagesOfOneKeyInFlight() {
    subscriptionSettings = leaseSettings(Duration.ofMinutes(1), true, 10, null);
    List<StoredMessage> messages = new ArrayList<>();
    String[] keys = {"a", "a", "b", "a", "b"};
    for (int i = 0; i < keys.length; i++) {
      messages.add(new StoredMessage("m" + i, keys[i], 0, i, Instant.now(), Map.of(), "1"));
    }
    log.put(0, messages);
    create(subscriptionSettings);
    answerWatches(keys.length, 0);
    TestProbe<ConsumerMessage> consumer = attachLease(10);
    List<Delivery> first = receive(consumer, 2);
    assertEquals(List.of(0L, 2L), first.stream().map(d -> d.record().offset()).toList(),
        "one message per key: a@0 and b@2");
    consumer.expectNoMessage(Duration.ofMillis(150));
    nack(Duration.ZERO, first.get(0).record().ackId());
    Delivery again = receive(consumer, 1).get(0);
    assertEquals(0L, again.record().offset(), "a@0 again before a@1");
    ack(again.record().ackId());
    Delivery a1 = receive(consumer, 1).get(0);
    assertEquals(1L, a1.record().offset());
    ack(first.get(1).record().ackId());
    assertEquals(4L, receive(consumer, 1).get(0).record().offset());
    ack(a1.record().ackId());
    assertEquals(3L, receive(consumer, 1).get(0).record().offset());
  }

  @Test
  void aLongPollAnswersAsSoonAsSomethingArrivesOrEmptyAfterItsWait() {
    subscriptionSettings = leaseSettings(Duration.ofMinutes(1), false, 10, null);
    createdOver(0, 0);
    TestProbe<SubscriptionReply> poll = testKit.createTestProbe();
    kit.runCommand(new SubscriptionCommand.Pull(10, Duration.ofMillis(200), poll.ref()));
    assertEquals(new SubscriptionReply.Pulled(List.of()), poll.receiveMessage(Duration.ofSeconds(3)));
    kit.runCommand(new SubscriptionCommand.Pull(10, Duration.ofSeconds(30), poll.ref()));
    StoredMessage m = new StoredMessage("late", null, 1, 0, Instant.now(), Map.of(), "2");
    watchers.get(1).tell(new PartitionNotice.Appended(topicId, 1, List.of(m), 1));
    var pulled = (SubscriptionReply.Pulled) poll.receiveMessage(Duration.ofSeconds(3));
    assertEquals(List.of("late"), pulled.messages().stream().map(r -> r.id()).toList());
    assertEquals(1, view().inFlight(), "what a poll returns is leased");
  }

  // ---- proofs, give-backs, limits, attempts, polls ----

  @Test
  void aClosedStreamsUnprovenDeliveriesGoToTheNextConsumerAsRedeliveries() {
    createdOver(3, 0);
    TestProbe<ConsumerMessage> dead = attach(10, null, null);
    receive(dead, 3);
    kit.runCommand(new SubscriptionCommand.Proven(dead.ref(), 1));
    kit.runCommand(new SubscriptionCommand.Detach(dead.ref()));
    TestProbe<ConsumerMessage> next = attach(10, null, null);
    List<Delivery> again = receive(next, 2);
    assertEquals(List.of(1L, 2L), again.stream().map(d -> d.record().offset()).toList());
    again.forEach(d -> assertEquals(2, d.record().deliveryAttempt()));
  }

  @Test
  void provenDeliveriesAreCommittedAndNotRedelivered() {
    createdOver(3, 0);
    TestProbe<ConsumerMessage> consumer = attach(10, null, null);
    receive(consumer, 3);
    kit.runCommand(new SubscriptionCommand.Proven(consumer.ref(), 3));
    kit.runCommand(new SubscriptionCommand.Detach(consumer.ref()));
    assertEquals(3L, ((ActiveSubscription) kit.getState()).position(0).committed());
    kit.restart();
    answerWatches(3, 0);
    attach(10, null, null).expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void maxInFlightBoundsALeaseConsumerAndALongPollTogether() {
    subscriptionSettings = new SubscriptionSettings("orders", "earliest", Duration.ofMinutes(1),
        3, false, 10, null, "backpressure", Duration.ofSeconds(5), null);
    createdOver(10, 0);
    TestProbe<ConsumerMessage> consumer = attachLease(2);
    assertEquals(2, receive(consumer, 2).size());
    TestProbe<SubscriptionReply> poll = testKit.createTestProbe();
    kit.runCommand(new SubscriptionCommand.Pull(10, Duration.ofSeconds(5), poll.ref()));
    var pulled = (SubscriptionReply.Pulled) poll.receiveMessage(Duration.ofSeconds(3));
    assertEquals(1, pulled.messages().size(), "maxInFlight 3 leaves room for one");
    assertEquals(3, view().inFlight());
  }

  @Test
  void attemptsAreCountedAcrossARestart() {
    subscriptionSettings = leaseSettings(Duration.ofMinutes(1), false, 4, "orders-dlq");
    createdOver(1, 0);
    TestProbe<ConsumerMessage> consumer = attachLease(10);
    nack(Duration.ZERO, receive(consumer, 1).get(0).record().ackId());
    nack(Duration.ZERO, receive(consumer, 1).get(0).record().ackId());
    assertEquals(3, receive(consumer, 1).get(0).record().deliveryAttempt());
    kit.restart();
    answerWatches(1, 0);
    TestProbe<ConsumerMessage> after = attachLease(10);
    Delivery fourth = receive(after, 1).get(0);
    assertEquals(4, fourth.record().deliveryAttempt());
    nack(Duration.ZERO, fourth.record().ackId());
    after.expectNoMessage(Duration.ofMillis(200));
    assertEquals("4", deadLetters.get(0).attributes().get("courier.deliveryAttempts"));
    assertEquals(1, view().deadLettered());
  }

  @Test
  void aLongPollOverABacklogIsAnsweredFull() {
    subscriptionSettings = new SubscriptionSettings("orders", "earliest", Duration.ofMinutes(1),
        1000, false, 10, null, "backpressure", Duration.ofSeconds(5), null);
    createdOver(2000, 0);
    TestProbe<SubscriptionReply> poll = testKit.createTestProbe();
    kit.runCommand(new SubscriptionCommand.Pull(100, Duration.ofSeconds(5), poll.ref()));
    var pulled = (SubscriptionReply.Pulled) poll.receiveMessage(Duration.ofSeconds(3));
    assertEquals(100, pulled.messages().size());
  }

  @Test
  void anAggregationsRowsComeOnceWithTheSameValuesAfterARestartFromASnapshotAndEvents() {
    // A snapshot every 2 events: the restart below recovers from a snapshot mid-window.
    setUp(new DeliverySettings(
        Duration.ofHours(1), 10, 100, 1000, Duration.ofSeconds(1), 2, Duration.ofMillis(20),
        10, Duration.ofMillis(5), Duration.ofSeconds(2), Duration.ofMillis(50),
        Duration.ofMillis(250), Duration.ofMillis(300), Duration.ofSeconds(2),
        CoreFixture.BATCH_BYTES, 1000, 10_000));
    subscriptionSettings = new SubscriptionSettings("orders", "earliest", Duration.ofSeconds(30),
        100, false, 10, null, "backpressure", 0, Duration.ofSeconds(5), null,
        "SELECT COUNT(*), SUM(data.n) FROM orders"
            + " GROUP BY TUMBLE(publishTime, INTERVAL '1' MINUTE)");
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    // Message i of partition p is published at second 20 * i + p, data {"n": 10 * p + i}.
    for (int p = 0; p < 2; p++) {
      List<StoredMessage> messages = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        messages.add(new StoredMessage("m-" + p + "-" + i, null, p, i,
            t0.plusSeconds(20L * i + p), Map.of(), "{\"n\":" + (10 * p + i) + "}"));
      }
      log.put(p, messages);
    }
    // At first only 4 messages per partition are stored: minute 0 closes (both passed 0:01:00).
    List<List<StoredMessage>> full = List.of(log.get(0), log.get(1));
    log.put(0, full.get(0).subList(0, 4));
    log.put(1, full.get(1).subList(0, 4));
    create(subscriptionSettings);
    answerWatches(4, 4);
    TestProbe<ConsumerMessage> consumer = attach(10, null, null);
    List<Delivery> first = receive(consumer, 1);
    assertEquals(Optional.of(new AckId(2, 0)), AckId.position(first.get(0).record().ackId()),
        "row 0 of the row lane (partition 2)");
    var row0 = json(first.get(0).record().data());
    assertEquals(6, row0.get("count").asInt());
    assertEquals(0 + 1 + 2 + 10 + 11 + 12, row0.get("sum_n").asInt());
    assertEquals("2026-01-01T00:01:00Z", row0.get("windowEnd").asText());

    // A crash mid-minute 1 (two of its messages accepted), then the rest is published.
    kit.restart();
    log.put(0, full.get(0));
    log.put(1, full.get(1));
    answerWatches(7, 7);
    TestProbe<ConsumerMessage> again = attach(10, null, null);
    List<Delivery> after = receive(again, 2);
    assertEquals(first.get(0).record().data(), after.get(0).record().data(),
        "minute 0's row again (never acked), the same values");
    assertEquals(2, after.get(0).record().deliveryAttempt());
    var row1 = json(after.get(1).record().data());
    assertEquals(Optional.of(new AckId(2, 1)), AckId.position(after.get(1).record().ackId()));
    assertEquals(6, row1.get("count").asInt(), "each of minute 1's messages counted once");
    assertEquals(3 + 4 + 5 + 13 + 14 + 15, row1.get("sum_n").asInt());
    again.expectNoMessage(Duration.ofMillis(200));

    var view = kit.<SubscriptionReply>runCommand(SubscriptionCommand.Get::new).reply();
    assertEquals(0L, ((SubscriptionReply.Found) view).view().late());
  }
}
