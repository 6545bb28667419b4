package dev.courier.edge.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A node shutting down drains its consumers: a WebSocket consumer takes nothing new and closes only
 * once what it holds is acked (or the drain time is up); an SSE stream ends at once.
 */
class ConsumerDrainTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration WAIT = Duration.ofSeconds(5);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static Delivery delivery(String ackId) {
    return new Delivery(
        new DeliveryRecord(ackId, "id-" + ackId, "t", 0, 1, null, Instant.EPOCH, Map.of(), "1", 1),
        "c-" + ackId);
  }

  private static SocketConsumer.Settings socketSettings(Duration drain) {
    return new SocketConsumer.Settings(
        10, 100, WAIT, Duration.ofMinutes(1), Duration.ofMillis(100), Duration.ofMinutes(1),
        drain, false);
  }

  /** A socket consumer attached to {@code subscription}, with two messages handed out. */
  private record Socket(
      ActorRef<SocketConsumer.Command> consumer,
      TestProbe<SocketConsumer.Outgoing> out,
      ActorRef<ConsumerMessage> attachedAs) {}

  private Socket socketHolding(TestProbe<SubscriptionCommand> subscription, ConsumerDrain drains,
      Duration drain) {
    ActorRef<SocketConsumer.Command> consumer =
        testKit.spawn(SocketConsumer.create(subscription.ref(), socketSettings(drain), drains));
    TestProbe<SocketConsumer.Outgoing> out = testKit.createTestProbe();
    consumer.tell(new SocketConsumer.StreamReady(out.ref()));
    var attach = subscription.expectMessageClass(SubscriptionCommand.Attach.class, WAIT);
    assertEquals(ConsumerMode.LEASE, attach.mode());
    attach.consumer().tell(new ConsumerMessage.Attached(subscription.ref()));
    attach.consumer().tell(new ConsumerMessage.Deliveries(List.of(delivery("a1"), delivery("a2"))));
    var frames = out.expectMessageClass(SocketConsumer.Frames.class, WAIT);
    assertEquals(2, frames.frames().size());
    consumer.tell(SocketConsumer.StreamAck.INSTANCE);
    return new Socket(consumer, out, attach.consumer());
  }

  private static void clientSends(ActorRef<SocketConsumer.Command> consumer, String text) {
    TestProbe<SocketConsumer.FrameTaken> taken = testKit.createTestProbe();
    consumer.tell(new SocketConsumer.ClientText(taken.ref(), text, null));
  }

  @Test
  void aWebSocketConsumerClosesOnlyOnceWhatItHoldsIsAcked() throws Exception {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    ConsumerDrain drains = new ConsumerDrain();
    Socket socket = socketHolding(subscription, drains, Duration.ofMinutes(1));
    assertEquals(1, drains.size());

    CompletableFuture<Done> drained =
        drains.drainAll(testKit.system(), Duration.ofSeconds(30)).toCompletableFuture();
    var window = subscription.expectMessageClass(SubscriptionCommand.Window.class, WAIT);
    assertEquals(0, window.messages(), "a draining socket takes no new messages");

    clientSends(socket.consumer(), "{\"type\":\"ack\",\"ackIds\":[\"a1\"]}");
    var ack = subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    ack.replyTo().tell(new SubscriptionReply.AckResult(1, List.of("a1")));
    assertInstanceOf(SocketConsumer.Frames.class, socket.out().receiveMessage(WAIT));
    socket.consumer().tell(SocketConsumer.StreamAck.INSTANCE);
    socket.out().expectNoMessage(Duration.ofMillis(300));
    assertTrue(!drained.isDone(), "a2 is still held by the client");

    clientSends(socket.consumer(), "{\"type\":\"ack\",\"ackIds\":[\"a2\"]}");
    ack = subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    ack.replyTo().tell(new SubscriptionReply.AckResult(1, List.of("a2")));
    assertInstanceOf(SocketConsumer.Frames.class, socket.out().receiveMessage(WAIT));
    socket.consumer().tell(SocketConsumer.StreamAck.INSTANCE);
    assertInstanceOf(SocketConsumer.End.class, socket.out().receiveMessage(WAIT));

    socket.consumer().tell(SocketConsumer.StreamDone.INSTANCE);
    subscription.expectMessageClass(SubscriptionCommand.Detach.class, WAIT);
    drained.get(5, TimeUnit.SECONDS);
    assertEquals(0, drains.size());
  }

  @Test
  void aWebSocketConsumerWhoseClientNeverAcksClosesAtTheDrainTime() throws Exception {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    ConsumerDrain drains = new ConsumerDrain();
    Socket socket = socketHolding(subscription, drains, Duration.ofMillis(300));
    CompletableFuture<Done> drained =
        drains.drainAll(testKit.system(), Duration.ofSeconds(30)).toCompletableFuture();
    subscription.expectMessageClass(SubscriptionCommand.Window.class, WAIT);
    assertInstanceOf(SocketConsumer.End.class, socket.out().receiveMessage(WAIT));
    socket.consumer().tell(SocketConsumer.StreamDone.INSTANCE);
    drained.get(5, TimeUnit.SECONDS);
  }

  @Test
  void messagesArrivingWhileDrainingStillGoOutAndAreWaitedFor() {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    ConsumerDrain drains = new ConsumerDrain();
    Socket socket = socketHolding(subscription, drains, Duration.ofMinutes(1));
    drains.drainAll(testKit.system(), Duration.ofSeconds(30));
    subscription.expectMessageClass(SubscriptionCommand.Window.class, WAIT);
    // Sent by the subscription before it saw the zero window.
    socket.attachedAs().tell(new ConsumerMessage.Deliveries(List.of(delivery("a3"))));
    assertInstanceOf(SocketConsumer.Frames.class, socket.out().receiveMessage(WAIT));
    socket.consumer().tell(SocketConsumer.StreamAck.INSTANCE);
    clientSends(socket.consumer(), "{\"type\":\"ack\",\"ackIds\":[\"a1\",\"a2\"]}");
    var ack = subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    ack.replyTo().tell(new SubscriptionReply.AckResult(2, List.of("a1", "a2")));
    assertInstanceOf(SocketConsumer.Frames.class, socket.out().receiveMessage(WAIT));
    socket.consumer().tell(SocketConsumer.StreamAck.INSTANCE);
    socket.out().expectNoMessage(Duration.ofMillis(300));
    clientSends(socket.consumer(), "{\"type\":\"ack\",\"ackIds\":[\"a3\"]}");
    ack = subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    ack.replyTo().tell(new SubscriptionReply.AckResult(1, List.of("a3")));
    assertInstanceOf(SocketConsumer.Frames.class, socket.out().receiveMessage(WAIT));
    socket.consumer().tell(SocketConsumer.StreamAck.INSTANCE);
    assertInstanceOf(SocketConsumer.End.class, socket.out().receiveMessage(WAIT));
  }

  @Test
  void anSseStreamEndsAtOnceAndDetaches() throws Exception {
    TestProbe<SubscriptionCommand> subscription = testKit.createTestProbe();
    ConsumerDrain drains = new ConsumerDrain();
    ActorRef<StreamConsumer.Command> consumer =
        testKit.spawn(
            StreamConsumer.create(
                subscription.ref(), null, "s1",
                new StreamConsumer.Settings(
                    10, Duration.ofMinutes(1), Duration.ofMillis(100), Duration.ofMinutes(1),
                    Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(1)),
                drains));
    TestProbe<StreamConsumer.StreamElement> out = testKit.createTestProbe();
    consumer.tell(new StreamConsumer.StreamReady(out.ref()));
    var attach = subscription.expectMessageClass(SubscriptionCommand.Attach.class, WAIT);
    attach.consumer().tell(new ConsumerMessage.Attached(subscription.ref()));

    CompletableFuture<Done> drained =
        drains.drainAll(testKit.system(), Duration.ofSeconds(30)).toCompletableFuture();
    subscription.expectMessageClass(SubscriptionCommand.Detach.class, WAIT);
    assertInstanceOf(StreamConsumer.End.class, out.receiveMessage(WAIT));
    consumer.tell(StreamConsumer.StreamDone.INSTANCE);
    drained.get(5, TimeUnit.SECONDS);
    assertEquals(0, drains.size());
  }
}
