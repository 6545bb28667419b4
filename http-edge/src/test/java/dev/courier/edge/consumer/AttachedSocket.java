package dev.courier.edge.consumer;

import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.SubscriptionCommand;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A WebSocket consumer under test, attached to a probe standing for its subscription, with probes
 * for what it writes to its socket and for the frames it takes from the client.
 */
record AttachedSocket(
    ActorRef<SocketConsumer.Command> consumer,
    TestProbe<SubscriptionCommand> subscription,
    TestProbe<SocketConsumer.Outgoing> out,
    TestProbe<SocketConsumer.FrameTaken> taken) {

  static AttachedSocket open(ActorTestKit testKit, Duration askTimeout) {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    var consumer = testKit.spawn(SocketConsumer.create(subscription.ref(),
        new SocketConsumer.Settings(10, 100, askTimeout, Duration.ofMinutes(1),
            Duration.ofMillis(50), Duration.ofMinutes(1), Duration.ofSeconds(5), false),
        new ConsumerDrain()));
    TestProbe<SocketConsumer.Outgoing> out = testKit.createTestProbe();
    TestProbe<SocketConsumer.FrameTaken> taken = testKit.createTestProbe();
    consumer.tell(new SocketConsumer.StreamReady(out.ref()));
    var attach = subscription.expectMessageClass(SubscriptionCommand.Attach.class,
        Duration.ofSeconds(5));
    attach.consumer().tell(new ConsumerMessage.Attached(subscription.ref()));
    return new AttachedSocket(consumer, subscription, out, taken);
  }

  /** The client sends this text frame. */
  void client(String text) {
    consumer.tell(new SocketConsumer.ClientText(taken.ref(), text, null));
  }
}
