package dev.courier.node.subscription;

import static dev.courier.node.subscription.CoreFixture.created;
import static dev.courier.node.subscription.CoreFixture.messages;
import static dev.courier.node.subscription.CoreFixture.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One subscription's memory is bounded whatever its clients do: consumers past the cap are closed,
 * delayed nacks past the cap are refused; many delayed nacks are delivered when due, in order.
 */
class SubscriptionCapsTest {
  private static final long MS = 1_000_000L;
  private long now = 1_000 * MS;

  private DeliveryCore<String, String> core(int maxConsumers, int maxDelayedNacks, boolean ordered,
      int count) {
    var settings = new DeliverySettings(Duration.ofHours(1), 100_000, 100_000, 100_000,
        Duration.ofSeconds(1), 1000, Duration.ofMillis(20), 10, Duration.ZERO,
        Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofMillis(250),
        Duration.ofSeconds(2), Duration.ofSeconds(10), 1L << 40, maxConsumers, maxDelayedNacks);
    var core = new DeliveryCore<String, String>(
        created(subscription(100_000, ordered, 5, Duration.ofHours(1)), 1), settings);
    core.start();
    core.headHeard(0, 0, now);
    core.appended(0, messages(0, 0, count), count, now);
    return core;
  }

  private static List<Long> offsets(Step<String, String> step) {
    List<Long> out = new ArrayList<>();
    step.sends().forEach(s -> s.deliveries().forEach(d -> out.add(d.record().offset())));
    return out;
  }

  /** The ack ids of first deliveries of offsets {@code [from, until)} of partition 0. */
  private static List<String> ackIds(DeliveryCore<String, String> core, long from, long until) {
    List<String> ids = new ArrayList<>();
    for (long o = from; o < until; o++) {
      ids.add(core.ackIds().mint(0, o, 1));
    }
    return ids;
  }

  @Test
  void aConsumerPastTheCapIsClosed() {
    var core = core(2, 10, false, 0);
    assertTrue(core.attach("a", ConsumerMode.LEASE, 10, null, null, now).closes().isEmpty());
    assertTrue(core.attach("b", ConsumerMode.CURSOR, 10, null, null, now).closes().isEmpty());
    var third = core.attach("c", ConsumerMode.LEASE, 10, null, null, now);
    assertEquals(1, third.closes().size());
    assertEquals("c", third.closes().get(0).consumer());
    assertTrue(third.closes().get(0).reason().contains("limit"));
    core.detach("a", now);
    assertTrue(core.attach("c", ConsumerMode.LEASE, 10, null, null, now).closes().isEmpty(),
        "a place freed up");
  }

  @Test
  void delayedNacksPastTheCapAreRefusedAsAWhole() {
    var core = core(10, 3, false, 6);
    assertEquals(6, offsets(core.attach("l", ConsumerMode.LEASE, 10, null, null, now)).size());
    var first = core.nack(ackIds(core, 0, 2), Duration.ofSeconds(5), "r", now);
    assertEquals(new SubscriptionReply.Nacked(2), first.replies().get(0).reply());
    var refused = core.nack(ackIds(core, 2, 4), Duration.ofSeconds(5), "r", now);
    assertInstanceOf(SubscriptionReply.Overloaded.class, refused.replies().get(0).reply());
    assertEquals(4, core.inFlight(), "the refused messages stay leased");
    var immediate = core.nack(ackIds(core, 2, 4), Duration.ZERO, "r", now);
    assertEquals(new SubscriptionReply.Nacked(2), immediate.replies().get(0).reply(),
        "a nack without a delay waits for nothing and is not capped");
  }

  @Test
  void manyDelayedNacksComeBackWhenDueInOffsetOrder() {
    int count = 20_000;
    var core = core(10, count, true, count);
    core.attach("l", ConsumerMode.LEASE, count, null, null, now);
    // Nack each message with its own delay, the later offsets due sooner.
    for (int o = 0; o < count; o++) {
      core.nack(List.of(core.ackIds().mint(0, o, 1)), Duration.ofMillis(count - o), "r", now);
    }
    assertEquals(count, core.delayedCount());
    now += (count + 1) * MS;
    List<Long> again = offsets(core.timer(new TimerKey.Tick(), now));
    assertEquals(count, again.size(), "all due, all delivered again");
    for (int i = 1; i < again.size(); i++) {
      assertTrue(again.get(i) > again.get(i - 1), "offset order");
    }
    assertEquals(0, core.delayedCount());
  }
}
