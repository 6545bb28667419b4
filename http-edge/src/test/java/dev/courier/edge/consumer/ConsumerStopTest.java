package dev.courier.edge.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.courier.protocol.subscription.SubscriptionCommand;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A consumer actor that stops for a reason of its own (here: stopped from outside, as a failure
 * would stop it) ends its client's stream, so the client connects again instead of waiting on a
 * socket nothing will ever write to.
 */
class ConsumerStopTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration WAIT = Duration.ofSeconds(5);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aStoppedWebSocketConsumerClosesItsSocket() {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    var consumer = testKit.spawn(SocketConsumer.create(subscription.ref(),
        new SocketConsumer.Settings(10, 100, WAIT, Duration.ofMinutes(1), Duration.ofMillis(50),
            Duration.ofMinutes(1), Duration.ofSeconds(5), false),
        new ConsumerDrain()));
    TestProbe<SocketConsumer.Outgoing> out = testKit.createTestProbe();
    consumer.tell(new SocketConsumer.StreamReady(out.ref()));
    subscription.expectMessageClass(SubscriptionCommand.Attach.class, WAIT);

    testKit.stop(consumer);

    var end = out.expectMessageClass(SocketConsumer.End.class, WAIT);
    assertEquals(SocketConsumer.End.INTERNAL_ERROR, end.closeCode());
  }

  @Test
  void aStoppedSseConsumerEndsItsStream() {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    var consumer = testKit.spawn(StreamConsumer.create(subscription.ref(), null, "s1",
        new StreamConsumer.Settings(100, Duration.ofMinutes(1), Duration.ofMillis(50),
            Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMillis(100),
            Duration.ofMillis(600)),
        new ConsumerDrain()));
    TestProbe<StreamConsumer.StreamElement> out = testKit.createTestProbe();
    consumer.tell(new StreamConsumer.StreamReady(out.ref()));
    subscription.expectMessageClass(SubscriptionCommand.Attach.class, WAIT);

    testKit.stop(consumer);

    out.fishForMessage(WAIT, e -> e instanceof StreamConsumer.End
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore());
  }
}
