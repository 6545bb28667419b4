package dev.courier.node.subscription;

import static dev.courier.node.subscription.CoreFixture.T0;
import static dev.courier.node.subscription.CoreFixture.created;
import static dev.courier.node.subscription.CoreFixture.delivery;
import static dev.courier.node.subscription.CoreFixture.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The per-consumer byte cap: a consumer that does not ack (WebSocket) or whose socket takes
 * nothing (SSE) is sent at most the cap plus one message, whatever its window in messages; acks
 * and handed-over deliveries make room, and every message still comes, once and in order.
 */
class ConsumerBytesTest {
  private static final int MIB = 1 << 20;
  private final long now = 1_000_000_000L;

  private static StoredMessage message(long offset, int dataBytes) {
    return new StoredMessage("m-" + offset, null, 0, offset, T0, Map.of(),
        "\"" + "x".repeat(dataBytes - 2) + "\"");
  }

  /** A started core on one partition holding {@code count} messages of {@code bytes} each. */
  private DeliveryCore<String, String> core(long capBytes, int count, int bytes) {
    var core = new DeliveryCore<String, String>(
        created(subscription(1000, false, 5, Duration.ofSeconds(30)), 1),
        delivery(Duration.ZERO, Duration.ofMillis(50)).withMaxConsumerBytes(capBytes));
    core.start();
    core.headHeard(0, 0, now);
    List<StoredMessage> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      messages.add(message(i, bytes));
    }
    core.appended(0, messages, messages.size(), now);
    return core;
  }

  private static List<Delivery> sent(Step<String, String> step) {
    return step.sends().stream().flatMap(s -> s.deliveries().stream()).toList();
  }

  private static List<Long> offsets(List<Delivery> deliveries) {
    return deliveries.stream().map(d -> d.record().offset()).toList();
  }

  @Test
  void aWebSocketThatDoesNotAckHoldsAtMostTheCapPlusOneMessage() {
    long cap = 3L * MIB;
    var core = core(cap, 10, MIB);
    List<Delivery> got = new ArrayList<>(sent(core.attach("ws", ConsumerMode.LEASE, 100, null,
        null, now)));
    assertEquals(List.of(0L, 1L, 2L), offsets(got), "three 1 MiB messages reach 3 MiB");
    assertTrue(core.heldBytes("ws") >= cap && core.heldBytes("ws") < cap + MIB + 1024,
        "held " + core.heldBytes("ws"));
    assertEquals(3, core.outstanding("ws"));

    // Each ack makes room for one more; in the end every message came once, in order.
    for (int i = 0; i < 10; i++) {
      var step = core.ack(List.of(got.get(i).record().ackId()), "acks", now);
      got.addAll(sent(step));
      assertTrue(core.heldBytes("ws") < cap + MIB + 1024, "held " + core.heldBytes("ws"));
    }
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), offsets(got));
    assertEquals(0, core.heldBytes("ws"), "nothing held once everything is acked");
  }

  @Test
  void anSseStreamWhoseSocketTakesNothingHoldsAtMostTheCapPlusOneMessage() {
    long cap = 3L * MIB;
    var core = core(cap, 10, MIB);
    List<Delivery> got = new ArrayList<>(sent(core.attach("sse", ConsumerMode.CURSOR, 256, null,
        null, now)));
    assertEquals(List.of(0L, 1L, 2L), offsets(got), "its window of 256 messages notwithstanding");

    // The edge reports deliveries handed to the socket with its Demand: room for as many more.
    got.addAll(sent(core.demand("sse", 1, now)));
    assertEquals(4, got.size());
    got.addAll(sent(core.demand("sse", 3, now)));
    assertEquals(7, got.size());
    while (got.size() < 10) {
      int before = got.size();
      got.addAll(sent(core.demand("sse", 1, now)));
      assertTrue(got.size() > before, "each delivery handed over makes room");
      assertTrue(core.heldBytes("sse") < cap + MIB + 1024, "held " + core.heldBytes("sse"));
    }
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), offsets(got));
  }

  @Test
  void afterASeekAnSseStreamStillCountsWhatWasSentBeforeIt() {
    long cap = 3L * MIB;
    var core = core(cap, 10, MIB);
    assertEquals(3, sent(core.attach("sse", ConsumerMode.CURSOR, 256, null, null, now)).size());
    // The seek does not reach the edge's queue: those three still go out, and are reported.
    var seek = core.seek(List.of(0L), "seeker", now);
    assertTrue(sent(seek).isEmpty());
    // The log is read again from the start: nothing goes while the three are not handed over.
    for (Step.Read read : seek.reads()) {
      List<StoredMessage> rows = new ArrayList<>();
      for (long o = read.from(); o < Math.min(read.until(), read.from() + read.limit()); o++) {
        rows.add(message(o, MIB));
      }
      assertTrue(sent(core.loaded(0, read.generation(), read.from(), read.until(), rows, now))
          .isEmpty(), "nothing more while the three are not handed to the socket");
    }
    assertEquals(1, sent(core.demand("sse", 1, now)).size(), "one handed over, one more sent");
    assertTrue(core.heldBytes("sse") < cap + MIB + 1024, "held " + core.heldBytes("sse"));
  }

  @Test
  void aMessageLargerThanTheCapGoesAloneAndTheNextWaitsForItsAck() {
    var core = core(512 * 1024, 3, MIB);
    List<Delivery> first = sent(core.attach("ws", ConsumerMode.LEASE, 100, null, null, now));
    assertEquals(List.of(0L), offsets(first));
    List<Delivery> second = sent(core.ack(List.of(first.get(0).record().ackId()), "a", now));
    assertEquals(List.of(1L), offsets(second));
  }

  @Test
  void aDetachedConsumersBytesGoWithItAndItsMessagesGoToAnother() {
    var core = core(2L * MIB, 4, MIB);
    assertEquals(List.of(0L, 1L),
        offsets(sent(core.attach("a", ConsumerMode.LEASE, 100, null, null, now))));
    core.detach("a", now);
    assertEquals(-1, core.heldBytes("a"));
    assertEquals(List.of(0L, 1L),
        offsets(sent(core.attach("b", ConsumerMode.LEASE, 100, null, null, now))),
        "given back, they go to the next consumer, within its cap");
  }
}
