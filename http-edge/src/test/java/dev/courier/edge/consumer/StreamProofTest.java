package dev.courier.edge.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.SubscriptionCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * An SSE consumer proves deliveries only once its stream is still alive a proof delay after taking
 * them and has taken a later write; a stream that ends before gives them back by detaching.
 */
class StreamProofTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration PROBE = Duration.ofMillis(100);
  private static final Duration PROOF = Duration.ofMillis(600);
  private static final Duration WAIT = Duration.ofSeconds(5);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** One consumer, its stream (a probe the test acks by hand) and the entity it attached to. */
  private record Stream(
      ActorRef<StreamConsumer.Command> consumer,
      TestProbe<StreamConsumer.StreamElement> out,
      TestProbe<SubscriptionCommand> sharded,
      TestProbe<SubscriptionCommand> entity,
      ActorRef<ConsumerMessage> attachedAs) {

    /** The subscription sends {@code n} deliveries; the stream takes the batch. */
    void deliverAndTake(int n) {
      List<Delivery> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(delivery("m" + i));
      }
      attachedAs.tell(new ConsumerMessage.Deliveries(batch));
      var taken = out.expectMessageClass(StreamConsumer.Batch.class, WAIT);
      assertEquals(n, taken.deliveries().size());
      entity.expectMessageClass(SubscriptionCommand.Demand.class, WAIT);
      consumer.tell(StreamConsumer.StreamAck.INSTANCE);
    }

    /** The next heartbeat reaches the stream, which takes it. */
    void takeHeartbeat() {
      assertInstanceOf(StreamConsumer.Heartbeat.class, out.receiveMessage(WAIT));
      consumer.tell(StreamConsumer.StreamAck.INSTANCE);
    }
  }

  private static Delivery delivery(String ackId) {
    return new Delivery(
        new DeliveryRecord(ackId, "id-" + ackId, "t", 0, 1, null, Instant.EPOCH, Map.of(), "1", 1),
        "c-" + ackId);
  }

  private static Stream attached() {
    TestProbe<SubscriptionCommand> sharded = testKit.createTestProbe();
    TestProbe<SubscriptionCommand> entity = testKit.createTestProbe();
    ActorRef<StreamConsumer.Command> consumer =
        testKit.spawn(
            StreamConsumer.create(
                sharded.ref(), null, "s1",
                new StreamConsumer.Settings(
                    100, Duration.ofMinutes(1), Duration.ofMillis(50), Duration.ofMinutes(1),
                    Duration.ofMinutes(1), PROBE, PROOF),
                new ConsumerDrain()));
    TestProbe<StreamConsumer.StreamElement> out = testKit.createTestProbe();
    consumer.tell(new StreamConsumer.StreamReady(out.ref()));
    var attach = sharded.expectMessageClass(SubscriptionCommand.Attach.class, WAIT);
    attach.consumer().tell(new ConsumerMessage.Attached(entity.ref()));
    return new Stream(consumer, out, sharded, entity, attach.consumer());
  }

  @Test
  void provenOnlyOnceTheProofDelayHasPassedAndALaterWriteWasTaken() {
    Stream s = attached();
    long takenAt = System.nanoTime();
    s.deliverAndTake(3);
    // A probe comes soon, but the stream does not take it: nothing is proven, however long.
    assertInstanceOf(StreamConsumer.Heartbeat.class, s.out().receiveMessage(WAIT));
    s.entity().expectNoMessage(PROOF.multipliedBy(2));
    s.out().expectNoMessage(Duration.ofMillis(50));
    // The stream takes it, long after the proof delay: now the three are proven.
    s.consumer().tell(StreamConsumer.StreamAck.INSTANCE);
    var proven = s.entity().expectMessageClass(SubscriptionCommand.Proven.class, WAIT);
    assertEquals(3, proven.messages());
    assertTrue(System.nanoTime() - takenAt >= PROOF.toNanos());
  }

  @Test
  void aLaterWriteBeforeTheProofDelayProvesNothing() {
    Stream s = attached();
    long takenAt = System.nanoTime();
    s.deliverAndTake(2);
    s.takeHeartbeat();
    long earliest = System.nanoTime() - takenAt;
    assertTrue(earliest < PROOF.toNanos(), "the first probe comes well before the proof delay");
    s.entity().expectNoMessage(Duration.ofMillis(50));
    // Probes keep coming every probe interval while anything is unproven; taking them proves the
    // batch at the first one past the delay.
    SubscriptionCommand.Proven proven = null;
    while (proven == null) {
      s.takeHeartbeat();
      proven = provenIn(s.entity(), Duration.ofMillis(20));
    }
    long provenAfter = System.nanoTime() - takenAt;
    assertEquals(2, proven.messages());
    assertTrue(provenAfter >= PROOF.toNanos(), "proven after " + provenAfter / 1_000_000 + " ms");
    assertTrue(provenAfter < PROOF.plus(PROBE.multipliedBy(3)).toNanos(),
        "proven after " + provenAfter / 1_000_000 + " ms");
    // Once nothing waits for proof, the stream gets heartbeats at the idle interval (a minute).
    s.out().expectNoMessage(PROBE.multipliedBy(3));
  }

  private static SubscriptionCommand.Proven provenIn(
      TestProbe<SubscriptionCommand> entity, Duration within) {
    try {
      return entity.expectMessageClass(SubscriptionCommand.Proven.class, within);
    } catch (AssertionError none) {
      return null;
    }
  }

  @Test
  void aStreamCancelledBeforeProofDetachesWithNothingProven() {
    Stream s = attached();
    s.deliverAndTake(4);
    s.takeHeartbeat();
    s.consumer().tell(StreamConsumer.StreamDone.INSTANCE);
    var detach = s.entity().expectMessageClass(SubscriptionCommand.Detach.class, WAIT);
    assertEquals(s.attachedAs(), detach.consumer());
    s.entity().expectNoMessage(PROOF);
  }

  @Test
  void provenCountsAddUpInSendOrderAndTheRestIsLeftToTheDetach() {
    Stream s = attached();
    s.deliverAndTake(2);
    s.deliverAndTake(3);
    int proven = 0;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (proven < 5 && System.nanoTime() < deadline) {
      s.takeHeartbeat();
      var p = provenIn(s.entity(), Duration.ofMillis(20));
      proven += p == null ? 0 : p.messages();
    }
    assertEquals(5, proven, "both batches proven, in one Proven or two");
    s.deliverAndTake(4);
    s.deliverAndTake(1);
    s.consumer().tell(StreamConsumer.StreamDone.INSTANCE);
    // Nothing more proven: the last 5 of 10 delivered are the subscription's to give back.
    s.entity().expectMessageClass(SubscriptionCommand.Detach.class, WAIT);
  }

  @Test
  void aLostSubscriptionsUnprovenDeliveriesAreNotProvenToItsNextIncarnation() {
    Stream s = attached();
    s.deliverAndTake(3);
    s.entity().stop();
    var again = s.sharded().expectMessageClass(SubscriptionCommand.Attach.class, WAIT);
    TestProbe<SubscriptionCommand> next = testKit.createTestProbe();
    again.consumer().tell(new ConsumerMessage.Attached(next.ref()));
    again.consumer().tell(new ConsumerMessage.Deliveries(List.of(delivery("n1"), delivery("n2"))));
    StreamConsumer.StreamElement e = s.out().receiveMessage(WAIT);
    while (!(e instanceof StreamConsumer.Batch)) {
      s.consumer().tell(StreamConsumer.StreamAck.INSTANCE);
      e = s.out().receiveMessage(WAIT);
    }
    s.consumer().tell(StreamConsumer.StreamAck.INSTANCE);
    next.expectMessageClass(SubscriptionCommand.Demand.class, WAIT);
    // Every probe taken until the new incarnation hears a proof: it covers its own two only.
    SubscriptionCommand.Proven proven = null;
    while (proven == null) {
      s.takeHeartbeat();
      proven = provenIn(next, Duration.ofMillis(20));
    }
    assertEquals(2, proven.messages());
  }
}
