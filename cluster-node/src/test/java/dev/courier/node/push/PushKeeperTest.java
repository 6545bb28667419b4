package dev.courier.node.push;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.SubscriptionCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class PushKeeperTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration WAIT = Duration.ofSeconds(10);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void wakesEveryListedSubscriptionAtStartAndOnEveryTick() {
    TestProbe<SubscriptionCommand> orders = testKit.createTestProbe();
    TestProbe<SubscriptionCommand> billing = testKit.createTestProbe();
    Map<String, TestProbe<SubscriptionCommand>> probes = Map.of("orders", orders, "billing", billing);
    testKit.spawn(
        PushKeeper.create(
            () -> CompletableFuture.completedFuture(List.of("orders", "billing")),
            name -> probes.get(name).ref(),
            Duration.ofMillis(200), Duration.ofMillis(250)));
    for (int round = 0; round < 3; round++) {
      orders.expectMessageClass(SubscriptionCommand.Wake.class, WAIT);
      billing.expectMessageClass(SubscriptionCommand.Wake.class, WAIT);
    }
  }

  @Test
  void aMemberLeavingWakesEverySubscriptionNowAndTwiceMoreSoonAfter() {
    TestProbe<SubscriptionCommand> orders = testKit.createTestProbe();
    var keeper = testKit.spawn(
        PushKeeper.create(
            () -> CompletableFuture.completedFuture(List.of("orders")),
            name -> orders.ref(),
            Duration.ofMinutes(10), Duration.ofMillis(250)));
    orders.expectMessageClass(SubscriptionCommand.Wake.class, WAIT);
    orders.expectNoMessage(Duration.ofMillis(200));
    keeper.tell(new PushKeeper.MemberLeft());
    // Once at once, then once per later wake: the ten-minute tick sends none of these.
    for (int wake = 0; wake <= PushKeeper.WAKES_AFTER_REMOVAL.size(); wake++) {
      orders.expectMessageClass(SubscriptionCommand.Wake.class, WAIT);
    }
    orders.expectNoMessage(Duration.ofMillis(500));
  }

  @Test
  void keepsListingAfterTheRegistryFails() {
    TestProbe<SubscriptionCommand> orders = testKit.createTestProbe();
    AtomicInteger calls = new AtomicInteger();
    testKit.spawn(
        PushKeeper.create(
            () -> {
              CompletionStage<List<String>> answer =
                  calls.incrementAndGet() <= 2
                      ? CompletableFuture.failedFuture(new IllegalStateException("no Cassandra"))
                      : CompletableFuture.completedFuture(List.of("orders"));
              return answer;
            },
            name -> orders.ref(),
            Duration.ofMillis(100), Duration.ofMillis(250)));
    orders.expectMessageClass(SubscriptionCommand.Wake.class, WAIT);
    assertTrue(calls.get() >= 3);
  }

  @Test
  void listsOneAtATime() {
    CompletableFuture<List<String>> slow = new CompletableFuture<>();
    AtomicInteger calls = new AtomicInteger();
    TestProbe<SubscriptionCommand> orders = testKit.createTestProbe();
    testKit.spawn(
        PushKeeper.create(
            () -> {
              calls.incrementAndGet();
              return slow;
            },
            name -> orders.ref(),
            Duration.ofMillis(50), Duration.ofMillis(250)));
    orders.expectNoMessage(Duration.ofMillis(500));
    assertTrue(calls.get() == 1, "ticks while a listing is under way start no other: " + calls);
    slow.complete(List.of("orders"));
    orders.expectMessageClass(SubscriptionCommand.Wake.class, WAIT);
  }

  @Test
  void wakesAllAtOnceWhenToldAMemberLeft() {
    TestProbe<SubscriptionCommand> orders = testKit.createTestProbe();
    AtomicInteger calls = new AtomicInteger();
    var keeper =
        testKit.spawn(
            PushKeeper.create(
                () -> {
                  calls.incrementAndGet();
                  return CompletableFuture.completedFuture(List.of("orders"));
                },
                name -> orders.ref(),
                Duration.ofHours(1), Duration.ofMillis(250)));
    orders.expectMessageClass(SubscriptionCommand.Wake.class, WAIT);
    keeper.tell(new PushKeeper.WakeAll());
    orders.expectMessageClass(SubscriptionCommand.Wake.class, WAIT);
    assertTrue(calls.get() == 2, "one listing per wake: " + calls);
  }

  @Test
  void wakesOneStoppedSubscriptionAfterTheDelay() {
    TestProbe<SubscriptionCommand> orders = testKit.createTestProbe();
    TestProbe<SubscriptionCommand> billing = testKit.createTestProbe();
    Map<String, TestProbe<SubscriptionCommand>> probes = Map.of("orders", orders, "billing", billing);
    var keeper =
        testKit.spawn(
            PushKeeper.create(
                () -> CompletableFuture.completedFuture(List.of("orders", "billing")),
                name -> probes.get(name).ref(),
                Duration.ofHours(1),
                Duration.ofMillis(300)));
    orders.expectMessageClass(SubscriptionCommand.Wake.class, WAIT);
    billing.expectMessageClass(SubscriptionCommand.Wake.class, WAIT);
    keeper.tell(new PushKeeper.WakeSoon("orders"));
    orders.expectNoMessage(Duration.ofMillis(150));
    orders.expectMessageClass(SubscriptionCommand.Wake.class, WAIT);
    billing.expectNoMessage(Duration.ofMillis(500));
  }

  @Test
  void aWakeSoonCrossesNodes() {
    // Sent by the stopping subscription's node to the keeper singleton, usually on another node.
    new SerializationTestKit(testKit.system())
        .verifySerialization(new PushKeeper.WakeSoon("orders"), true);
  }

  @Test
  void aWakeAllDuringAListingListsAgainAfterIt() {
    CompletableFuture<List<String>> slow = new CompletableFuture<>();
    AtomicInteger calls = new AtomicInteger();
    TestProbe<SubscriptionCommand> orders = testKit.createTestProbe();
    var keeper =
        testKit.spawn(
            PushKeeper.create(
                () -> calls.incrementAndGet() == 1
                    ? slow
                    : CompletableFuture.completedFuture(List.of("orders")),
                name -> orders.ref(),
                Duration.ofHours(1), Duration.ofMillis(250)));
    orders.awaitAssert(() -> {
      assertTrue(calls.get() == 1, "the first listing is under way");
      return null;
    });
    keeper.tell(new PushKeeper.WakeAll());
    slow.complete(List.of("orders"));
    orders.expectMessageClass(SubscriptionCommand.Wake.class, WAIT);
    orders.expectMessageClass(SubscriptionCommand.Wake.class, WAIT);
    assertTrue(calls.get() == 2, "the wake during the first listing made one more: " + calls);
  }
}
