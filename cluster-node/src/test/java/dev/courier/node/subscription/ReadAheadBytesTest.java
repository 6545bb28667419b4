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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A partition's read-ahead buffer is bounded in bytes as well as in messages: catching up on a
 * log of 1 MB messages, the core never asks for more than fits the byte cap and never holds much
 * more than it, and every message is still delivered once, in order.
 */
class ReadAheadBytesTest {
  private static final int MB = 1_000_000;
  private static final long CAP = 4L << 20;
  private final long now = 1_000_000_000L;

  private static StoredMessage message(long offset) {
    return new StoredMessage("m-" + offset, null, 0, offset, T0, Map.of(),
        "\"" + "x".repeat(MB - 2) + "\"");
  }

  @Test
  void catchingUpOnLargeMessagesReadsAFewAtATimeWithinTheCap() {
    var core = new DeliveryCore<String, String>(
        created(subscription(1000, false, 5, Duration.ofSeconds(30)), 1),
        delivery(Duration.ZERO, Duration.ofMillis(50)).withBufferBytesPerPartition(CAP));
    core.start();
    ArrayDeque<Step.Read> reads = new ArrayDeque<>();
    List<Delivery> got = new ArrayList<>();
    var attached = core.attach("ws", ConsumerMode.LEASE, 2, null, null, now);
    reads.addAll(attached.reads());
    var heard = core.headHeard(0, 60, now);
    reads.addAll(heard.reads());
    got.addAll(heard.sends().stream().flatMap(s -> s.deliveries().stream()).toList());

    int served = 0;
    while (got.size() < 60) {
      Step<String, String> step;
      if (!reads.isEmpty()) {
        Step.Read read = reads.poll();
        long before = core.bufferedBytes(0);
        assertTrue(before == 0 || (long) read.limit() * MB <= CAP,
            "a read of " + read.limit() + " 1 MB messages on top of " + before + " bytes");
        List<StoredMessage> rows = new ArrayList<>();
        for (long o = read.from(); o < Math.min(read.until(), read.from() + read.limit()); o++) {
          rows.add(message(o));
        }
        served++;
        step = core.loaded(0, read.generation(), read.from(), read.until(), rows, now);
      } else {
        // The consumer acks what it holds, which makes room for more.
        List<String> held = got.stream().skip(Math.max(0, got.size() - 2))
            .map(d -> d.record().ackId()).toList();
        step = core.ack(held, "acks", now);
      }
      assertTrue(core.bufferedBytes(0) <= CAP + MB + 1024,
          "the buffer holds " + core.bufferedBytes(0) + " bytes");
      reads.addAll(step.reads());
      got.addAll(step.sends().stream().flatMap(s -> s.deliveries().stream()).toList());
      assertTrue(served < 200, "catching up did not finish");
    }
    List<Long> expected = new ArrayList<>();
    for (long o = 0; o < 60; o++) {
      expected.add(o);
    }
    assertEquals(expected, got.stream().map(d -> d.record().offset()).toList());
    assertTrue(served >= 60 / 4, "read a few at a time: " + served + " reads");
  }
}
