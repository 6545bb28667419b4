package dev.courier.node.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.node.it.WebhookReceiver;
import dev.courier.protocol.push.SecretSealer;
import dev.courier.protocol.push.WebhookSigner;
import dev.courier.protocol.security.ClusterKey;
import dev.courier.protocol.subscription.AckIdCodec;
import dev.courier.protocol.subscription.AckIdKey;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.PushSettings;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PushDelivery against a real HTTP receiver, with a probe standing in for the subscription. */
class PushDeliveryTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final java.time.Instant CREATED = java.time.Instant.parse("2026-11-30T12:00:00Z");
  private static final SecretSealer SEALER = SecretSealer.of(ClusterKey.generate());

  private String secret;
  private WebhookReceiver receiver;

  @BeforeEach
  void startReceiver() throws Exception {
    secret = WebhookReceiver.newSecret();
    receiver = WebhookReceiver.start(secret);
  }

  @AfterEach
  void stopReceiver() {
    receiver.close();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static PushConfig config(Duration requestTimeout) {
    return new PushConfig(
        Duration.ofSeconds(1),
        Duration.ofMinutes(5),
        requestTimeout,
        256,
        64 * 1024,
        Duration.ofSeconds(10),
        Duration.ofMinutes(1),
        Duration.ofSeconds(5),
        Duration.ofMillis(250));
  }

  private static DeliveryRecord record(int n, int attempt) {
    return new DeliveryRecord(
        "0-" + n,
        "msg-" + n,
        "orders",
        0,
        n,
        "key-" + n,
        Instant.parse("2026-01-31T12:00:00Z"),
        Map.of("source", "test"),
        "{\"n\":" + n + "}",
        attempt);
  }

  private static ConsumerMessage.Deliveries deliveries(List<DeliveryRecord> records) {
    return new ConsumerMessage.Deliveries(
        records.stream().map(r -> new Delivery(r, null)).toList());
  }

  /** Starts a PushDelivery and returns the consumer ref it attached with. */
  private ActorRef<ConsumerMessage> attach(
      TestProbe<SubscriptionCommand> subscription, String url, int maxInFlight, PushConfig config) {
    testKit.spawn(
        PushDelivery.create(
            subscription.ref(),
            "orders-hook",
            CREATED,
            new PushSettings(url, SEALER.seal("orders-hook", secret)),
            maxInFlight,
            config,
            new PushBackoff(config.minBackoff(), config.maxBackoff(), () -> 1.0),
            SEALER));
    SubscriptionCommand.Attach attach =
        subscription.expectMessageClass(SubscriptionCommand.Attach.class, WAIT);
    assertEquals(ConsumerMode.LEASE, attach.mode());
    assertEquals(Math.min(maxInFlight, config.maxConcurrency()), attach.credit());
    return attach.consumer();
  }

  @Test
  void postsSignedRecordsAndAcksAnsweredOnesInBatches() throws Exception {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    ActorRef<ConsumerMessage> consumer =
        attach(subscription, receiver.url(), 4, config(Duration.ofSeconds(10)));
    List<DeliveryRecord> records = IntStream.range(0, 4).mapToObj(n -> record(n, 1)).toList();
    consumer.tell(deliveries(records));

    SubscriptionCommand.Ack first = subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    assertEquals(1, first.ackIds().size(), "the first answer is acked at once");
    awaitCondition("all four POSTs answered", () -> receiver.accepted().size() == 4);
    subscription.expectNoMessage(Duration.ofMillis(300));
    first.replyTo().tell(new SubscriptionReply.AckResult(1, first.ackIds()));
    SubscriptionCommand.Ack second =
        subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    assertEquals(3, second.ackIds().size(), "acks made meanwhile go in one Ack");
    Set<String> acked = new HashSet<>(first.ackIds());
    acked.addAll(second.ackIds());
    assertEquals(Set.of("0-0", "0-1", "0-2", "0-3"), acked);

    assertEquals(List.of(), receiver.badlySigned());
    for (WebhookReceiver.Received r : receiver.received()) {
      assertTrue(r.contentType().startsWith("application/json"), r.contentType());
      int n = r.json().path("offset").asInt();
      assertEquals("0-" + n, r.ackId());
      assertEquals(n, r.json().path("data").path("n").asInt());
      assertEquals("orders", r.json().path("topic").asText());
      assertEquals(WebhookSigner.messageId(PushRequests.stream("orders-hook", CREATED), "0-" + n),
          r.webhookId());
      long now = Instant.now().getEpochSecond();
      assertTrue(Math.abs(now - r.timestamp()) < 60, "timestamp is Unix seconds");
    }
  }

  @Test
  void nacksFailedAnswersWithGrowingDelaysKeepingTheWebhookId() throws Exception {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    ActorRef<ConsumerMessage> consumer =
        attach(subscription, receiver.url(), 10, config(Duration.ofSeconds(10)));
    receiver.failNext(3, 503);

    List<Duration> delays = new ArrayList<>();
    for (int attempt = 1; attempt <= 3; attempt++) {
      consumer.tell(deliveries(List.of(record(7, attempt))));
      SubscriptionCommand.Nack nack =
          subscription.expectMessageClass(SubscriptionCommand.Nack.class, WAIT);
      assertEquals(List.of("0-7"), nack.ackIds());
      delays.add(nack.delay());
    }
    assertEquals(
        List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4)), delays);
    assertTrue(delays.get(0).compareTo(Duration.ofSeconds(5)) <= 0, "first retry within 5 s");

    consumer.tell(deliveries(List.of(record(7, 4))));
    SubscriptionCommand.Ack ack = subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    assertEquals(List.of("0-7"), ack.ackIds());

    List<WebhookReceiver.Received> got = receiver.received();
    assertEquals(4, got.size());
    assertEquals(1, receiver.webhookIds().size(), "one webhook-id across all retries");
    assertEquals(List.of(1, 2, 3, 4), got.stream().map(WebhookReceiver.Received::deliveryAttempt).toList());
    assertEquals(List.of(), receiver.badlySigned());
  }

  @Test
  void nacksARequestLeftUnansweredPastTheTimeout() {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    ActorRef<ConsumerMessage> consumer =
        attach(subscription, receiver.url(), 10, config(Duration.ofMillis(500)));
    receiver.hold();
    consumer.tell(deliveries(List.of(record(1, 1))));
    SubscriptionCommand.Nack nack =
        subscription.expectMessageClass(SubscriptionCommand.Nack.class, WAIT);
    assertEquals(List.of("0-1"), nack.ackIds());
    assertEquals(Duration.ofSeconds(1), nack.delay());
  }

  @Test
  void nacksWhenTheEndpointCannotBeReached() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    ActorRef<ConsumerMessage> consumer =
        attach(subscription, "http://127.0.0.1:" + closedPort + "/hook", 10,
            config(Duration.ofSeconds(10)));
    consumer.tell(deliveries(List.of(record(2, 2))));
    SubscriptionCommand.Nack nack =
        subscription.expectMessageClass(SubscriptionCommand.Nack.class, WAIT);
    assertEquals(List.of("0-2"), nack.ackIds());
    assertEquals(Duration.ofSeconds(2), nack.delay());
  }

  @Test
  void neverHasMoreRequestsInFlightThanTheWindow() throws Exception {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    ActorRef<ConsumerMessage> consumer =
        attach(subscription, receiver.url(), 3, config(Duration.ofSeconds(10)));
    receiver.hold();
    // More than the window at once (an entity would not): the excess must wait its turn.
    consumer.tell(deliveries(IntStream.range(0, 9).mapToObj(n -> record(n, 1)).toList()));
    awaitCondition("the window is full", () -> receiver.inFlight() == 3);
    subscription.expectNoMessage(Duration.ofMillis(300));
    assertEquals(3, receiver.inFlight());
    receiver.release();

    Set<String> acked = new HashSet<>();
    while (acked.size() < 9) {
      SubscriptionCommand.Ack ack =
          subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
      acked.addAll(ack.ackIds());
      ack.replyTo().tell(new SubscriptionReply.AckResult(ack.ackIds().size(), ack.ackIds()));
    }
    assertEquals(9, receiver.accepted().size());
    assertEquals(3, receiver.maxConcurrent());
  }

  @Test
  void sendsAnUnansweredAckAgain() {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    PushConfig quickAcks =
        new PushConfig(Duration.ofSeconds(1), Duration.ofMinutes(5), Duration.ofSeconds(10), 256,
            64 * 1024, Duration.ofMillis(300), Duration.ofMinutes(1), Duration.ofSeconds(5),
            Duration.ofMillis(250));
    ActorRef<ConsumerMessage> consumer = attach(subscription, receiver.url(), 10, quickAcks);
    consumer.tell(deliveries(List.of(record(3, 1))));
    SubscriptionCommand.Ack first = subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    SubscriptionCommand.Ack again = subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    assertEquals(first.ackIds(), again.ackIds());
    again.replyTo().tell(new SubscriptionReply.AckResult(0, again.ackIds()));
    subscription.expectNoMessage(Duration.ofMillis(600));
  }

  @Test
  void stopsWhenTheSubscriptionIsClosed() {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    ActorRef<ConsumerMessage> consumer =
        attach(subscription, receiver.url(), 10, config(Duration.ofSeconds(10)));
    consumer.tell(new ConsumerMessage.Closed("deleted"));
    SubscriptionCommand.Detach detach =
        subscription.expectMessageClass(SubscriptionCommand.Detach.class, WAIT);
    assertEquals(consumer, detach.consumer());
  }

  private static void awaitCondition(String what, BooleanSupplier condition) {
    testKit.createTestProbe().awaitAssert(WAIT, () -> {
      if (!condition.getAsBoolean()) {
        throw new AssertionError("timed out waiting for " + what);
      }
      return null;
    });
  }


  @Test
  void aSecretSealedUnderAnotherClusterKeyStopsTheDelivererWithoutAttaching() {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    PushConfig config = config(Duration.ofSeconds(10));
    String foreign = SecretSealer.of(ClusterKey.generate()).seal("orders-hook", secret);
    var deliverer = testKit.spawn(
        PushDelivery.create(subscription.ref(), "orders-hook", CREATED,
            new PushSettings(receiver.url(), foreign), 4, config,
            new PushBackoff(config.minBackoff(), config.maxBackoff(), () -> 1.0), SEALER));
    TestProbe<Object> watcher = testKit.createTestProbe();
    watcher.expectTerminated(deliverer, WAIT);
    subscription.expectNoMessage(Duration.ofMillis(200));
    assertEquals(List.of(), receiver.received(), "nothing is sent unsigned");
  }

  @Test
  void aClearSecretFromBeforeSealingStillSigns() throws Exception {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    PushConfig config = config(Duration.ofSeconds(10));
    testKit.spawn(
        PushDelivery.create(subscription.ref(), "orders-hook", CREATED,
            new PushSettings(receiver.url(), secret), 4, config,
            new PushBackoff(config.minBackoff(), config.maxBackoff(), () -> 1.0), SEALER));
    ActorRef<ConsumerMessage> consumer =
        subscription.expectMessageClass(SubscriptionCommand.Attach.class, WAIT).consumer();
    consumer.tell(deliveries(List.of(record(0, 1))));
    subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    assertEquals(List.of(), receiver.badlySigned());
  }

  @Test
  void aMessageKeepsItsWebhookIdOnEveryAttempt() {
    AckIdCodec codec = AckIdKey.of(ClusterKey.generate()).forSubscription("orders-hook", CREATED);
    String stream = PushRequests.stream("orders-hook", CREATED);
    String first = WebhookSigner.messageId(stream, PushRequests.position(codec.mint(0, 5, 1)));
    String retry = WebhookSigner.messageId(stream, PushRequests.position(codec.mint(0, 5, 2)));
    String other = WebhookSigner.messageId(stream, PushRequests.position(codec.mint(0, 6, 1)));
    assertEquals(first, retry, "the attempt is not part of the webhook id");
    assertEquals(WebhookSigner.messageId(stream, "0-5"), first, "the same id as before sealing");
    org.junit.jupiter.api.Assertions.assertNotEquals(first, other);
  }

  @Test
  void aSubscriptionCreatedAgainUnderItsNameGetsNewWebhookIds() {
    String first = WebhookSigner.messageId(PushRequests.stream("orders-hook", CREATED), "0-5");
    String again = WebhookSigner.messageId(PushRequests.stream("orders-hook", CREATED), "0-5");
    String recreated = WebhookSigner.messageId(
        PushRequests.stream("orders-hook", CREATED.plusMillis(1)), "0-5");
    assertEquals(first, again, "a retry keeps its id");
    org.junit.jupiter.api.Assertions.assertNotEquals(first, recreated);
  }
}
