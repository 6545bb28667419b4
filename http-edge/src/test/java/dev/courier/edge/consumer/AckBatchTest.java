package dev.courier.edge.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A WebSocket's gathered acks go to the subscription at most {@link
 * SocketConsumer#MAX_ACKS_PER_REQUEST} at a time, in order (an Ack may cross nodes and must fit a
 * remoting frame), and every id is sent once.
 */
class AckBatchTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration WAIT = Duration.ofSeconds(5);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void manyAcksGoInBoundedRequestsInOrder() {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    var consumer = testKit.spawn(SocketConsumer.create(subscription.ref(),
        new SocketConsumer.Settings(10, 100, Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMillis(50), Duration.ofMinutes(1), Duration.ofSeconds(5), false),
        new ConsumerDrain()));
    TestProbe<SocketConsumer.Outgoing> out = testKit.createTestProbe();
    TestProbe<SocketConsumer.FrameTaken> taken = testKit.createTestProbe();
    consumer.tell(new SocketConsumer.StreamReady(out.ref()));
    var attach = subscription.expectMessageClass(SubscriptionCommand.Attach.class, WAIT);
    attach.consumer().tell(new ConsumerMessage.Attached(subscription.ref()));

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      ids.add("0-" + i);
    }
    StringBuilder frame = new StringBuilder("{\"type\":\"ack\",\"ackIds\":[");
    for (int i = 0; i < ids.size(); i++) {
      frame.append(i > 0 ? "," : "").append('"').append(ids.get(i)).append('"');
    }
    consumer.tell(new SocketConsumer.ClientText(taken.ref(), frame.append("]}").toString(), null));

    List<String> sent = new ArrayList<>();
    while (sent.size() < ids.size()) {
      var ack = subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
      assertTrue(ack.ackIds().size() <= SocketConsumer.MAX_ACKS_PER_REQUEST,
          ack.ackIds().size() + " ids in one Ack");
      sent.addAll(ack.ackIds());
      ack.replyTo().tell(new SubscriptionReply.AckResult(ack.ackIds().size(), ack.ackIds()));
    }
    assertEquals(ids, sent);
  }
}
