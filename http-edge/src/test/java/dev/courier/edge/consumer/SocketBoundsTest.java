package dev.courier.edge.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A client that sends junk and never reads cannot grow its socket's memory: once enough answers
 * wait for it, its next frame is not taken (TCP backpressure does the rest) until they are out.
 */
class SocketBoundsTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration WAIT = Duration.ofSeconds(5);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aClientThatDoesNotReadIsNotReadEither() {
    var socket = AttachedSocket.open(testKit, WAIT);
    var consumer = socket.consumer();
    var out = socket.out();
    var taken = socket.taken();

    // The first answer goes into the socket, which then never signals it took it (the client
    // does not read); every later answer queues.
    int sent = SocketConsumer.MAX_QUEUED_ANSWERS + 1;
    for (int i = 0; i < sent; i++) {
      consumer.tell(new SocketConsumer.ClientText(taken.ref(), "junk " + i, null));
    }
    out.expectMessageClass(SocketConsumer.Frames.class, WAIT);
    taken.receiveSeveralMessages(sent - 1, WAIT);
    taken.expectNoMessage(Duration.ofMillis(300));

    // The client reads: the queued answers go out together, and its next frame is taken.
    consumer.tell(SocketConsumer.StreamAck.INSTANCE);
    var frames = out.expectMessageClass(SocketConsumer.Frames.class, WAIT);
    assertEquals(SocketConsumer.MAX_QUEUED_ANSWERS, frames.frames().size());
    taken.expectMessage(WAIT, SocketConsumer.FrameTaken.INSTANCE);
  }
}
