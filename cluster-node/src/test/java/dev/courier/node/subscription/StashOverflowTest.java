package dev.courier.node.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.courier.persistence.SubscriptionNames;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.SettingsChange;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionSettings;
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
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A subscription entity whose stash (2 commands here) overflows while it recovers or persists:
 * every command that awaits an answer is answered (Overloaded when it was dropped), and a command
 * without an answer (a consumer's attach) is not lost but carried out once there is room.
 */
class StashOverflowTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      ConfigFactory.parseString("""
          pekko.actor.provider = local
          pekko.persistence.typed.stash-capacity = 2
          """)
          .withFallback(EventSourcedBehaviorTestKit.config())
          .withFallback(ConfigFactory.load()));

  static {
    testKit.spawn(StashOverflow.create(Duration.ofMillis(50)), "stash-overflow");
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private final TestProbe<TopicPartitionCommand> partitions = testKit.createTestProbe();

  /** A fresh subscription entity over an empty two-partition topic. */
  private ActorRef<SubscriptionCommand> entity() {
    SubscriptionNames names = CoreFixture.noNames();
    var deps = new SubscriptionEntity.Dependencies(
        (id, partition, from, until, limit) -> CompletableFuture.completedFuture(List.of()),
        (id, partition, keys) -> CompletableFuture.completedFuture(Map.of()),
        names, (id, p) -> partitions.ref(), names,
        (t, m) -> CompletableFuture.completedFuture(null), PushLauncher.NONE,
        new DeliverySettings(Duration.ofHours(1), 10, 100, 1000, Duration.ofSeconds(1), 1000,
            Duration.ofMillis(20), 10, Duration.ofMillis(5), Duration.ofSeconds(2),
            Duration.ofMillis(50), Duration.ofMillis(250), Duration.ofMillis(300),
            Duration.ofSeconds(2), CoreFixture.BATCH_BYTES, 1000, 10_000),
        dev.courier.protocol.subscription.AckIdKey.of(
            dev.courier.protocol.security.ClusterKey.generate()));
    return testKit.spawn(SubscriptionEntity.create("stash-" + UUID.randomUUID(), deps));
  }

  private static SubscriptionCommand.Create create(ActorRef<SubscriptionReply> replyTo) {
    TopicInfo topic = new TopicInfo("orders", UUID.randomUUID(),
        new TopicSettings(2, Duration.ofDays(1), Duration.ofDays(1)), Instant.now());
    return new SubscriptionCommand.Create(
        new SubscriptionSettings("orders", "earliest", Duration.ofSeconds(30), 100, false, 10,
            null, "backpressure", Duration.ofSeconds(5), null),
        topic, List.of(0L, 0L), List.of(), replyTo);
  }

  /** Every one of {@code count} answers, within a few seconds each. */
  private static List<SubscriptionReply> answers(TestProbe<SubscriptionReply> probe, int count) {
    List<SubscriptionReply> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(probe.expectMessageClass(SubscriptionReply.class, Duration.ofSeconds(5)));
    }
    probe.expectNoMessage(Duration.ofMillis(200));
    return out;
  }

  private static long overloaded(List<SubscriptionReply> replies) {
    return replies.stream().filter(r -> r instanceof SubscriptionReply.Overloaded).count();
  }

  @Test
  void commandsPastTheStashWhileRecoveringAreAnsweredOverloadedAndAnAttachIsNotLost() {
    // The commands race the journal's answer to the recovery: when the recovery wins, nothing
    // overflows (every command is still answered). A fresh entity is tried again.
    long dropped = 0;
    for (int attempt = 0; attempt < 5 && dropped == 0; attempt++) {
      dropped = commandsWhileRecovering();
    }
    assertTrue(dropped >= 1, "the stash of 2 overflowed in one of five recoveries");
  }

  /** Every command answered and the attach carried out; how many were answered Overloaded. */
  private long commandsWhileRecovering() {
    TestProbe<SubscriptionReply> replies = testKit.createTestProbe();
    TestProbe<ConsumerMessage> consumer = testKit.createTestProbe();
    ActorRef<SubscriptionCommand> entity = entity();
    // All of these reach the mailbox before the journal answers the recovery.
    for (int i = 0; i < 30; i++) {
      entity.tell(new SubscriptionCommand.Get(replies.ref()));
    }
    entity.tell(new SubscriptionCommand.Attach(consumer.ref(), ConsumerMode.CURSOR, 10, null, null));

    List<SubscriptionReply> got = answers(replies, 30);
    long dropped = overloaded(got);
    assertEquals(30 - dropped,
        got.stream().filter(r -> r instanceof SubscriptionReply.NotFound).count(),
        "the stashed ones were answered as usual");
    // The attach (when the stash overflowed, dropped too and sent again) is carried out: a
    // subscription that does not exist closes its consumer.
    assertInstanceOf(ConsumerMessage.Closed.class,
        consumer.expectMessageClass(ConsumerMessage.class, Duration.ofSeconds(5)));
    return dropped;
  }

  @Test
  void commandsPastTheStashWhilePersistingAreAnsweredOverloaded() {
    TestProbe<SubscriptionReply> replies = testKit.createTestProbe();
    ActorRef<SubscriptionCommand> entity = entity();
    entity.tell(create(replies.ref()));
    assertInstanceOf(SubscriptionReply.Created.class,
        replies.expectMessageClass(SubscriptionReply.class, Duration.ofSeconds(5)));

    // A settings change is persisted; what arrives meanwhile is stashed, 2 at most.
    entity.tell(new SubscriptionCommand.ChangeSettings(
        new SettingsChange(null, null, null, null, 50, null), replies.ref()));
    for (int i = 0; i < 30; i++) {
      entity.tell(new SubscriptionCommand.Get(replies.ref()));
    }
    List<SubscriptionReply> got = answers(replies, 31);
    assertTrue(overloaded(got) >= 1, "the stash of 2 overflowed");
    assertEquals(31 - overloaded(got),
        got.stream().filter(r -> r instanceof SubscriptionReply.Found).count(),
        "the change and the stashed gets are answered with the view");
  }
}
