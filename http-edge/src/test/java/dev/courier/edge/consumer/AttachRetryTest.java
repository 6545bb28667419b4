package dev.courier.edge.consumer;

import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.SubscriptionCommand;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** An Attach that goes unanswered (lost in a shard hand-off) is sent again until answered. */
class AttachRetryTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration RETRY = Duration.ofMillis(200);
  private static final Duration WAIT = Duration.ofSeconds(5);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Two Attaches without an answer, then none once the subscription has answered. */
  private static void retriesUntilAnswered(TestProbe<SubscriptionCommand> subscription) {
    subscription.expectMessageClass(SubscriptionCommand.Attach.class, WAIT);
    var again = subscription.expectMessageClass(SubscriptionCommand.Attach.class, WAIT);
    again.consumer().tell(new ConsumerMessage.Attached(subscription.ref()));
    subscription.expectNoMessage(RETRY.multipliedBy(3));
  }

  @Test
  void aWebSocketConsumerAttachesAgainUntilAnswered() {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    var consumer = testKit.spawn(SocketConsumer.create(subscription.ref(),
        new SocketConsumer.Settings(10, 100, WAIT, Duration.ofMinutes(1), Duration.ofMillis(50),
            RETRY, Duration.ofSeconds(5), false),
        new ConsumerDrain()));
    TestProbe<SocketConsumer.Outgoing> out = testKit.createTestProbe();
    consumer.tell(new SocketConsumer.StreamReady(out.ref()));
    retriesUntilAnswered(subscription);
  }

  @Test
  void anSseStreamAttachesAgainUntilAnswered() {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    var consumer = testKit.spawn(StreamConsumer.create(subscription.ref(), null, "s1",
        new StreamConsumer.Settings(10, Duration.ofMinutes(1), Duration.ofMillis(50), RETRY,
            Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(1)),
        new ConsumerDrain()));
    TestProbe<StreamConsumer.StreamElement> out = testKit.createTestProbe();
    consumer.tell(new StreamConsumer.StreamReady(out.ref()));
    retriesUntilAnswered(subscription);
  }
}
