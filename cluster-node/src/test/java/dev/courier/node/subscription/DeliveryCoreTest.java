package dev.courier.node.subscription;

import static dev.courier.node.subscription.CoreFixture.created;
import static dev.courier.node.subscription.CoreFixture.delivery;
import static dev.courier.node.subscription.CoreFixture.messages;
import static dev.courier.node.subscription.CoreFixture.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The delivery core on plain values: one test per kind of input, no actors. */
class DeliveryCoreTest {

  private static final long MS = 1_000_000L;
  private long now = 1_000 * MS;

  private DeliveryCore<String, String> core(int maxInFlight, int maxDeliveries) {
    return core(subscription(maxInFlight, false, maxDeliveries, Duration.ofSeconds(1)),
        Duration.ZERO, Duration.ofMillis(50));
  }

  private DeliveryCore<String, String> core(
      dev.courier.protocol.subscription.SubscriptionSettings s, Duration linger, Duration fill) {
    return new DeliveryCore<>(created(s, 1), delivery(linger, fill));
  }

  /** A core whose partition 0 holds {@code count} messages, all appended (in memory). */
  private DeliveryCore<String, String> withMessages(DeliveryCore<String, String> core, int count) {
    core.start();
    core.headHeard(0, 0, now);
    core.appended(0, messages(0, 0, count), count, now);
    return core;
  }

  private static List<Long> offsets(Step<String, String> step, String consumer) {
    List<Long> out = new ArrayList<>();
    for (var send : step.sends()) {
      if (send.consumer().equals(consumer)) {
        send.deliveries().forEach(d -> out.add(d.record().offset()));
      }
    }
    return out;
  }

  private static List<DeliveryRecord> records(Step<String, String> step, String consumer) {
    List<DeliveryRecord> out = new ArrayList<>();
    for (var send : step.sends()) {
      if (send.consumer().equals(consumer)) {
        send.deliveries().stream().map(Delivery::record).forEach(out::add);
      }
    }
    return out;
  }

  /** Answers the step's first read from a full log (offsets are dense from 0). */
  private Step<String, String> answerRead(
      DeliveryCore<String, String> core, Step<String, String> step, long at) {
    var read = step.reads().get(0);
    return core.loaded(0, read.generation(), read.from(), read.until(),
        messages(0, read.from(), read.until()), at);
  }

  @Test
  void attachDeliversAfterTheReservationThatCoversIt() {
    var core = withMessages(core(10, 5), 3);
    var step = core.attach("c", ConsumerMode.CURSOR, 10, null, null, now);
    assertEquals(List.of(0L, 1L, 2L), offsets(step, "c"));
    assertInstanceOf(SubscriptionEvent.DeliveryReserved.class, step.events().get(0));
    assertTrue(core.state().position(0).reserved() >= 3);
    records(step, "c").forEach(r -> assertEquals(1, r.deliveryAttempt()));
  }

  @Test
  void anAppendNoticeWithoutItsMessagesIsReadFromTheLog() {
    var core = withMessages(core(10, 5), 2);
    assertEquals(List.of(0L, 1L), offsets(core.attach("l", ConsumerMode.LEASE, 10, null, null, now), "l"));
    // A message too large for a notice: the notice only moves the head past it.
    var notice = core.appended(0, List.of(), 3, now);
    assertTrue(notice.sends().isEmpty());
    assertEquals(2, notice.reads().get(0).from());
    assertEquals(3, notice.reads().get(0).until());
    assertEquals(List.of(2L), offsets(answerRead(core, notice, now), "l"));
    // The next notice continues from there in memory.
    assertEquals(List.of(3L), offsets(core.appended(0, messages(0, 3, 4), 4, now), "l"));
  }

  @Test
  void aLeaseWindowBoundsDeliveryAndAnAckMakesRoomOnceWritten() {
    var core = withMessages(core(10, 5), 5);
    assertEquals(List.of(0L, 1L), offsets(core.attach("l", ConsumerMode.LEASE, 2, null, null, now), "l"));
    String first = id(core, 0, 0, 1);
    var acked = core.ack(List.of(first), "r", now);
    assertInstanceOf(SubscriptionEvent.Acked.class, acked.events().get(0));
    assertEquals(List.of(new Step.Reply<>("r", new SubscriptionReply.AckResult(1, List.of(first)))),
        acked.replies());
    assertEquals(List.of(2L), offsets(acked, "l"));
  }

  private static long inFlight(DeliveryCore<String, String> core) {
    return core.view("s", core.state().settings(), "n", java.time.Instant.now()).inFlight();
  }

  /** The ack id the core hands out for this delivery attempt. */
  private static String id(DeliveryCore<String, String> core, int p, long offset, int attempt) {
    return core.ackIds().mint(p, offset, attempt);
  }

  @Test
  void madeUpIdsAndIdsOfAnotherSubscriptionAckNothing() {
    var core = withMessages(core(10, 5), 2);
    core.attach("l", ConsumerMode.LEASE, 2, null, null, now);
    String foreign = dev.courier.protocol.subscription.AckIdKey.of(
            dev.courier.protocol.security.ClusterKey.generate())
        .forSubscription("", core.state().createdAt()).mint(0, 0, 1);
    String real = id(core, 0, 0, 1);
    String altered = real.substring(0, real.length() - 1) + (real.endsWith("A") ? "B" : "A");
    var acked = core.ack(List.of("0-0", "0-1", foreign, altered, "0-0-1"), "r", now);
    assertEquals(List.of(new Step.Reply<>("r", new SubscriptionReply.AckResult(0, List.of()))),
        acked.replies());
    assertTrue(acked.events().isEmpty(), "nothing is written");
    assertEquals(new SubscriptionReply.Nacked(0),
        core.nack(List.of("0-0", foreign), Duration.ZERO, "r", now).replies().get(0).reply());
    assertEquals(2, inFlight(core), "both leases still held");
  }

  @Test
  void anIdOfALeaseThatExpiredAndWentToAnotherConsumerAcksNothing() {
    var core = withMessages(core(10, 5), 1);
    var first = records(core.attach("a", ConsumerMode.LEASE, 10, null, null, now), "a").get(0);
    core.detach("a", now);
    var second = records(core.attach("b", ConsumerMode.LEASE, 10, null, null, now), "b").get(0);
    assertEquals(2, second.deliveryAttempt());
    assertEquals(List.of(new Step.Reply<>("r", new SubscriptionReply.AckResult(0, List.of()))),
        core.ack(List.of(first.ackId()), "r", now).replies(), "the stale id is ignored");
    assertEquals(new SubscriptionReply.Nacked(0),
        core.nack(List.of(first.ackId()), Duration.ZERO, "r", now).replies().get(0).reply());
    assertEquals(1, inFlight(core), "b still holds it");
    var acked = core.ack(List.of(second.ackId()), "r", now);
    assertEquals(new SubscriptionReply.AckResult(1, List.of(second.ackId())),
        acked.replies().get(0).reply());
  }

  @Test
  void anIdOfAnExpiredLeaseNotYetDeliveredAgainStillAcks() {
    var core = withMessages(core(10, 5), 1);
    var first = records(core.attach("a", ConsumerMode.LEASE, 10, null, null, now), "a").get(0);
    core.detach("a", now);
    assertEquals(new SubscriptionReply.AckResult(1, List.of(first.ackId())),
        core.ack(List.of(first.ackId()), "r", now).replies().get(0).reply());
  }

  @Test
  void aLingeringAckIsAnsweredOnlyWithTheWrite() {
    var core = withMessages(
        core(subscription(10, false, 5, Duration.ofSeconds(1)), Duration.ofMillis(25),
            Duration.ofMillis(50)), 2);
    core.attach("l", ConsumerMode.LEASE, 2, null, null, now);
    var ack = core.ack(List.of(id(core, 0, 1, 1)), "r", now);
    assertTrue(ack.replies().isEmpty() && ack.events().isEmpty());
    assertEquals(new TimerKey.FlushAcks(), ack.timers().get(0).key());
    var flush = core.timer(new TimerKey.FlushAcks(), now);
    assertInstanceOf(SubscriptionEvent.Acked.class, flush.events().get(0));
    assertEquals(1, flush.replies().size());
  }

  @Test
  void theDefaultWindowIsTheSubscriptionsMaxInFlight() {
    var core = withMessages(core(3, 5), 10);
    var step = core.attach("l", ConsumerMode.LEASE, SubscriptionCommand.Attach.DEFAULT_WINDOW,
        null, null, now);
    assertEquals(3, offsets(step, "l").size());
    assertEquals(3, core.windowOf("l"));
  }

  @Test
  void maxInFlightBoundsLeasesAcrossConsumersAndPolls() {
    var core = withMessages(core(4, 5), 10);
    var first = core.attach("l", ConsumerMode.LEASE, 3, null, null, now);
    assertEquals(3, offsets(first, "l").size());
    var poll = core.pull(10, Duration.ofSeconds(5), "p", now);
    var pulled = (SubscriptionReply.Pulled) poll.replies().get(0).reply();
    assertEquals(1, pulled.messages().size(), "one lease left under maxInFlight 4");
    assertEquals(4, core.inFlight());
    var ack = core.ack(List.of(pulled.messages().get(0).ackId()), "r", now);
    assertEquals(List.of(), offsets(ack, "l"), "the window of 3 is full");
  }

  @Test
  void unprovenCursorDeliveriesDoNotCountTowardMaxInFlight() {
    var core = withMessages(core(2, 5), 6);
    assertEquals(6, offsets(core.attach("c", ConsumerMode.CURSOR, 10, null, null, now), "c").size());
    assertEquals(0, core.inFlight());
  }

  @Test
  void provenDeliveriesAreCommittedAndUnprovenOnesHoldTheCommitBack() {
    var core = withMessages(core(10, 5), 4);
    core.attach("c", ConsumerMode.CURSOR, 10, null, null, now);
    assertTrue(core.proven("c", 2, now).events().isEmpty());
    var flush = core.timer(new TimerKey.FlushCommits(), now);
    assertEquals(new SubscriptionEvent.Committed(List.of(2L), core.state().counters()),
        flush.events().get(0));
    assertEquals(2, core.state().position(0).committed());
  }

  @Test
  void aDetachedCursorConsumersUnprovenDeliveriesGoToTheNextConsumerWithTheNextAttempt() {
    var core = withMessages(core(10, 5), 3);
    core.attach("c1", ConsumerMode.CURSOR, 10, null, null, now);
    core.proven("c1", 1, now);
    core.detach("c1", now);
    var next = core.attach("c2", ConsumerMode.CURSOR, 10, null, null, now);
    var got = records(next, "c2");
    assertEquals(List.of(1L, 2L), got.stream().map(DeliveryRecord::offset).toList());
    got.forEach(r -> assertEquals(2, r.deliveryAttempt()));
    assertInstanceOf(SubscriptionEvent.AttemptsRecorded.class, next.events().get(0));
  }

  @Test
  void aNackRedeliversAfterItsDelayAndAnExpiryAfterTheDeadline() {
    var core = withMessages(core(10, 5), 2);
    core.attach("l", ConsumerMode.LEASE, 10, null, null, now);
    assertEquals(new SubscriptionReply.Nacked(1),
        core.nack(List.of(id(core, 0, 0, 1)), Duration.ofMillis(100), "r", now).replies().get(0)
            .reply());
    assertEquals(List.of(), offsets(core.timer(new TimerKey.Tick(), now + 50 * MS), "l"));
    var again = records(core.timer(new TimerKey.Tick(), now + 100 * MS), "l");
    assertEquals(0L, again.get(0).offset());
    assertEquals(2, again.get(0).deliveryAttempt());
    var expired = records(core.timer(new TimerKey.Tick(), now + 1001 * MS), "l");
    assertEquals(List.of(1L), expired.stream().map(DeliveryRecord::offset).toList(),
        "offset 1's lease ran out");
  }

  @Test
  void recordedAttemptsCarryOverToANewIncarnation() {
    var core = withMessages(core(10, 5), 1);
    core.attach("l", ConsumerMode.LEASE, 10, null, null, now);
    core.nack(List.of(id(core, 0, 0, 1)), Duration.ZERO, "r", now);
    core.nack(List.of(id(core, 0, 0, 2)), Duration.ZERO, "r", now);
    assertEquals(3, core.state().position(0).recordedAttempt(0));
    var after = new DeliveryCore<String, String>(core.state(), delivery(Duration.ZERO, Duration.ZERO));
    after.start();
    var heard = after.headHeard(0, 1, now);
    after.attach("l", ConsumerMode.LEASE, 10, null, null, now);
    assertEquals(4, records(answerRead(after, heard, now), "l").get(0).deliveryAttempt());
  }

  @Test
  void aMessageOutOfAttemptsIsDeadLettered() {
    var core = withMessages(core(10, 2), 1);
    core.attach("l", ConsumerMode.LEASE, 10, null, null, now);
    core.nack(List.of(id(core, 0, 0, 1)), Duration.ZERO, "r", now);
    var last = core.nack(List.of(id(core, 0, 0, 2)), Duration.ZERO, "r", now);
    assertTrue(last.events().stream().anyMatch(e -> e instanceof SubscriptionEvent.DeadLettered));
    assertEquals(1, core.state().deadLettered());
  }

  @Test
  void aFailingDeadLetterWriteIsTriedAgainEachTimeTwiceAsLateUpToHalfAMinute() {
    var withDeadLetters = new dev.courier.protocol.subscription.SubscriptionSettings("orders",
        "earliest", Duration.ofSeconds(1), 10, false, 1, "orders-dlq", "backpressure", 0,
        Duration.ofSeconds(5), null);
    var core = withMessages(core(withDeadLetters, Duration.ZERO, Duration.ofMillis(50)), 1);
    core.attach("l", ConsumerMode.LEASE, 10, null, null, now);
    var letter =
        core.nack(List.of(id(core, 0, 0, 1)), Duration.ZERO, "r", now).deadLetters().get(0);
    List<Duration> delays = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      var step = core.deadLetterWritten(letter.partition(), letter.offset(), letter.leaseId(), true, now);
      assertEquals(1, step.timers().size());
      delays.add(step.timers().get(0).delay());
    }
    Duration first = delays.get(0);
    assertEquals(first.multipliedBy(2), delays.get(1));
    assertEquals(first.multipliedBy(4), delays.get(2));
    assertEquals(DeliveryCore.MAX_DEAD_LETTER_RETRY, delays.get(11), "capped");
    assertEquals(0, core.state().deadLettered(), "still held, not counted done");
    core.deadLetterWritten(letter.partition(), letter.offset(), letter.leaseId(), false, now);
    assertEquals(1, core.state().deadLettered());
  }

  @Test
  void aLongPollWithABacklogWaitsForTheReadAndAnswersFull() {
    var core = core(10_000, 5);
    core.start();
    var idleRead = core.headHeard(0, 2000, now);
    assertTrue(core.pull(100, Duration.ofSeconds(20), "p", now).replies().isEmpty());
    var first = answerRead(core, idleRead, now + MS);
    assertTrue(first.replies().isEmpty(), "one message in hand, more being read");
    assertTrue(first.reads().get(0).limit() >= 100);
    var pulled = (SubscriptionReply.Pulled) answerRead(core, first, now + 2 * MS).replies().get(0).reply();
    assertEquals(100, pulled.messages().size());
  }

  @Test
  void aPartlyFilledPollAnswersWhenTheFillWaitIsOver() {
    var core = core(10_000, 5);
    core.start();
    var idleRead = core.headHeard(0, 5, now);
    core.pull(10, Duration.ofSeconds(20), "p", now);
    var poll = answerRead(core, idleRead, now);
    assertTrue(poll.replies().isEmpty(), "held: a read is under way");
    assertTrue(poll.timers().stream().anyMatch(t -> t.key() instanceof TimerKey.PollFill));
    var filled = core.timer(new TimerKey.PollFill(), now + 50 * MS);
    assertFalse(filled.replies().isEmpty());
  }

  @Test
  void aFailedReadIsRetriedAfterAPause() {
    var core = core(10, 5);
    core.start();
    var read = core.headHeard(0, 5, now).reads().get(0);
    var failed = core.loadFailed(0, read.generation(), now);
    assertEquals(new TimerKey.RetryRead(0), failed.timers().get(0).key());
    assertEquals(1, core.timer(new TimerKey.RetryRead(0), now).reads().size());
  }

  @Test
  void aSeekIsPersistedAnsweredAndReplayed() {
    var core = withMessages(core(10, 5), 3);
    core.attach("c", ConsumerMode.CURSOR, 10, null, null, now);
    var seek = core.seek(List.of(1L), "r", now);
    assertEquals(new SubscriptionEvent.Seeked(List.of(1L)), seek.events().get(0));
    assertEquals(
        new SubscriptionReply.Seeked(
            dev.courier.protocol.subscription.Cursor.tag(core.state().topicId()) + ":1"),
        seek.replies().get(0).reply());
    assertEquals(1, seek.reads().size(), "the replay reads the log");
  }

  @Test
  void passivationDrainsLeasesBeforeItStops() {
    var core = withMessages(core(10, 5), 1);
    core.attach("l", ConsumerMode.LEASE, 10, null, null, now);
    var passivate = core.passivate(now);
    assertFalse(passivate.stop());
    assertEquals(new TimerKey.DrainOver(), passivate.timers().get(0).key());
    assertTrue(core.ack(List.of(id(core, 0, 0, 1)), "r", now).stop());
  }

  @Test
  void passivationAnswersWaitingPollsAndDoesNotWaitForPollLeases() {
    var core = withMessages(core(10, 5), 2);
    var taken = (SubscriptionReply.Pulled)
        core.pull(10, Duration.ofSeconds(5), "p", now).replies().get(0).reply();
    assertEquals(2, taken.messages().size());
    assertTrue(core.pull(10, Duration.ofSeconds(20), "waiting", now).replies().isEmpty());
    var passivate = core.passivate(now);
    assertEquals("waiting", passivate.replies().get(0).to());
    assertEquals(List.of(),
        ((SubscriptionReply.Pulled) passivate.replies().get(0).reply()).messages(),
        "the waiting poll is answered at once, so its client polls the next incarnation");
    assertTrue(passivate.stop(),
        "a long poll's acks reach the next incarnation through sharding: nothing to wait for");
  }

  @Test
  void aPollThatComesWhileDrainingIsAnsweredWhenTheDrainEnds() {
    var core = withMessages(core(10, 5), 1);
    core.attach("l", ConsumerMode.LEASE, 10, null, null, now);
    assertFalse(core.passivate(now).stop());
    assertTrue(core.draining());
    assertTrue(core.pull(10, Duration.ofSeconds(20), "p", now).replies().isEmpty(),
        "nothing is handed out while draining");
    var stop = core.ack(List.of(id(core, 0, 0, 1)), "r", now);
    assertTrue(stop.stop());
    assertTrue(stop.replies().stream().anyMatch(r -> r.to().equals("p")
        && ((SubscriptionReply.Pulled) r.reply()).messages().isEmpty()));
  }

  @Test
  void aNewerAttachmentOfTheSameStreamClosesTheOlder() {
    var core = withMessages(core(10, 5), 1);
    core.attach("old", ConsumerMode.CURSOR, 10, null, "s", now);
    var step = core.attach("new", ConsumerMode.CURSOR, 10, null, "s", now);
    assertEquals("old", step.closes().get(0).consumer());
    assertEquals(List.of(0L), offsets(step, "new"), "the unproven delivery moved over");
  }
}
