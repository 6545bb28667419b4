package dev.courier.edge.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Acks the subscription did not answer (it was moving between nodes) or was too busy to take
 * (its stash was full) are sent again by the edge, not handed back to the client: a stock client acks once and waits for its acked frame. Gathered
 * acks, and nacks, go to the subscription at most {@link SocketConsumer#MAX_ACKS_PER_REQUEST} at a
 * time, in order (an Ack may cross nodes and must fit a remoting frame), and every id once.
 */
class AckRetryTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration ASK = Duration.ofMillis(300);
  private static final Duration WAIT = Duration.ofSeconds(5);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void unansweredAcksGoAgainAndAreConfirmedOnce() {
    var socket = AttachedSocket.open(testKit, ASK);
    var subscription = socket.subscription();
    var out = socket.out();

    socket.client("{\"type\":\"ack\",\"ackIds\":[\"0-1\",\"0-2\"]}");
    var first = subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    assertEquals(List.of("0-1", "0-2"), first.ackIds());
    // No answer: the ask times out, and the same acks go again.
    var again = subscription.expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    assertEquals(List.of("0-1", "0-2"), again.ackIds());
    again.replyTo().tell(new SubscriptionReply.AckResult(2, List.of("0-1", "0-2")));

    var frames = out.expectMessageClass(SocketConsumer.Frames.class, WAIT);
    assertEquals(1, frames.frames().size(), "only the acked frame, no error: " + frames);
    assertTrue(frames.frames().get(0).contains("\"acked\""), frames.frames().get(0));
    assertTrue(frames.frames().get(0).contains("0-1") && frames.frames().get(0).contains("0-2"));
  }

  @Test
  void acksTheSubscriptionWasTooBusyForGoAgainShortly() {
    var socket = AttachedSocket.open(testKit, Duration.ofSeconds(30));
    socket.client("{\"type\":\"ack\",\"ackIds\":[\"0-7\"]}");
    var first = socket.subscription().expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    // Its stash was full: answered Overloaded (StashOverflow) instead of being carried out.
    first.replyTo().tell(new SubscriptionReply.Overloaded("busy"));
    var again = socket.subscription().expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
    assertEquals(List.of("0-7"), again.ackIds());
    again.replyTo().tell(new SubscriptionReply.AckResult(1, List.of("0-7")));
    var frames = socket.out().expectMessageClass(SocketConsumer.Frames.class, WAIT);
    assertEquals(1, frames.frames().size(), "only the acked frame, no error: " + frames);
    assertTrue(frames.frames().get(0).contains("\"acked\""), frames.frames().get(0));
  }

  @Test
  void manyAcksAndNacksGoInBoundedRequestsInOrder() {
    var socket = AttachedSocket.open(testKit, Duration.ofSeconds(30));

    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      ids.add("0-" + i);
    }
    StringBuilder frame = new StringBuilder("{\"type\":\"ack\",\"ackIds\":[");
    for (int i = 0; i < ids.size(); i++) {
      frame.append(i > 0 ? "," : "").append('"').append(ids.get(i)).append('"');
    }
    socket.client(frame.append("]}").toString());

    List<String> sent = new ArrayList<>();
    while (sent.size() < ids.size()) {
      var ack = socket.subscription().expectMessageClass(SubscriptionCommand.Ack.class, WAIT);
      assertTrue(ack.ackIds().size() <= SocketConsumer.MAX_ACKS_PER_REQUEST,
          ack.ackIds().size() + " ids in one Ack");
      sent.addAll(ack.ackIds());
      ack.replyTo().tell(new SubscriptionReply.AckResult(ack.ackIds().size(), ack.ackIds()));
    }
    assertEquals(ids, sent);

    socket.client(frame.toString().replace("\"ack\"", "\"nack\""));
    List<String> nacked = new ArrayList<>();
    while (nacked.size() < ids.size()) {
      var nack = socket.subscription().expectMessageClass(SubscriptionCommand.Nack.class, WAIT);
      assertTrue(nack.ackIds().size() <= SocketConsumer.MAX_ACKS_PER_REQUEST);
      nacked.addAll(nack.ackIds());
    }
    assertEquals(ids, nacked);
  }
}
