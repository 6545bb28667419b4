package dev.courier.node.subscription;

import static dev.courier.node.subscription.CoreFixture.BATCH_BYTES;
import static dev.courier.node.subscription.CoreFixture.T0;
import static dev.courier.node.subscription.CoreFixture.created;
import static dev.courier.node.subscription.CoreFixture.delivery;
import static dev.courier.node.subscription.CoreFixture.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Deliveries sent to one consumer in one message, and a long poll's answer, stay within the batch
 * bytes (one message between nodes must fit a remoting frame); a larger message goes alone.
 */
class DeliveryBatchBytesTest {
  private static final int KIB = 1024;
  private final long now = 1_000_000_000L;

  private static StoredMessage message(long offset, int dataBytes) {
    return new StoredMessage("m-" + offset, null, 0, offset, T0, Map.of(),
        "\"" + "x".repeat(dataBytes - 2) + "\"");
  }

  /** A started core on one partition holding these messages in memory. */
  private DeliveryCore<String, String> core(List<StoredMessage> messages) {
    var core = new DeliveryCore<String, String>(
        created(subscription(100, false, 5, Duration.ofSeconds(30)), 1),
        delivery(Duration.ZERO, Duration.ofMillis(50)));
    core.start();
    core.headHeard(0, 0, now);
    core.appended(0, messages, messages.size(), now);
    return core;
  }

  private static List<StoredMessage> sized(int... kib) {
    List<StoredMessage> out = new ArrayList<>();
    for (int i = 0; i < kib.length; i++) {
      out.add(message(i, kib[i] * KIB));
    }
    return out;
  }

  /** Each send is within the batch bytes or a single delivery; together they are in order. */
  private static List<List<Long>> checkedSends(Step<String, String> step, String consumer) {
    List<List<Long>> sends = new ArrayList<>();
    for (var send : step.sends()) {
      assertEquals(consumer, send.consumer());
      long bytes = send.deliveries().stream().mapToLong(Delivery::wireSize).sum();
      assertTrue(bytes <= BATCH_BYTES || send.deliveries().size() == 1,
          () -> send.deliveries().size() + " deliveries of " + bytes + " bytes in one send");
      sends.add(send.deliveries().stream().map(d -> d.record().offset()).toList());
    }
    return sends;
  }

  @Test
  void aLeaseConsumersDeliveriesAreCutIntoSendsWithinTheBatchBytes() {
    var core = core(sized(100, 100, 100, 100, 100, 100, 100, 100, 100, 100));
    var sends = checkedSends(core.attach("c", ConsumerMode.LEASE, 10, null, null, now), "c");
    // 100 KiB each: one per send (two would pass 192 KiB).
    assertEquals(10, sends.size());
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L),
        sends.stream().flatMap(List::stream).toList());
  }

  @Test
  void smallDeliveriesShareASendAndALargerOneGoesAlone() {
    var core = core(sized(40, 40, 40, 300, 40, 40));
    var sends = checkedSends(core.attach("c", ConsumerMode.CURSOR, 10, null, null, now), "c");
    assertEquals(List.of(List.of(0L, 1L, 2L), List.of(3L), List.of(4L, 5L)), sends);
  }

  @Test
  void aLongPollsAnswerStopsOnceItHoldsTheBatchBytes() {
    var core = core(sized(100, 100, 100, 100, 100));
    // Full at two messages (200 KiB >= 192 KiB): answered at once, without waiting to fill up.
    var first = core.pull(10, Duration.ofSeconds(5), "p1", now);
    var pulled = assertInstanceOf(SubscriptionReply.Pulled.class, first.replies().get(0).reply());
    assertEquals(List.of(0L, 1L), pulled.messages().stream().map(DeliveryRecord::offset).toList());
    var second = core.pull(10, Duration.ofSeconds(5), "p2", now);
    var next = assertInstanceOf(SubscriptionReply.Pulled.class, second.replies().get(0).reply());
    assertEquals(List.of(2L, 3L), next.messages().stream().map(DeliveryRecord::offset).toList());
  }

  @Test
  void aLongPollTakesOneMessageLargerThanTheBatchBytes() {
    var core = core(sized(1000, 10));
    var step = core.pull(10, Duration.ofSeconds(5), "p", now);
    var pulled = assertInstanceOf(SubscriptionReply.Pulled.class, step.replies().get(0).reply());
    assertEquals(List.of(0L), pulled.messages().stream().map(DeliveryRecord::offset).toList());
  }
}
