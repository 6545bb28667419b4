package dev.courier.node.subscription;

import static dev.courier.node.subscription.CoreFixture.created;
import static dev.courier.node.subscription.CoreFixture.delivery;
import static dev.courier.node.subscription.CoreFixture.messages;
import static dev.courier.node.subscription.CoreFixture.subscription;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Cursor;
import dev.courier.protocol.subscription.SubscriptionEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A cursor consumer's resume cursor (an SSE Last-Event-ID) cannot move a subscription past a
 * partition's end, nor be one of another incarnation of the topic: either would skip messages.
 */
class ResumeCursorTest {
  private static final long NOW = 1_000_000_000L;

  private DeliveryCore<String, String> core() {
    return new DeliveryCore<>(created(subscription(100, false, 5, Duration.ofSeconds(1)), 2),
        delivery(Duration.ZERO, Duration.ofMillis(50)));
  }

  private static List<Long> offsets(Step<String, String> step) {
    List<Long> out = new ArrayList<>();
    step.sends().forEach(s -> s.deliveries().forEach(d -> out.add(d.record().offset())));
    return out;
  }

  private static List<List<Long>> seeks(Step<String, String> step) {
    return step.events().stream()
        .filter(e -> e instanceof SubscriptionEvent.Seeked)
        .map(e -> ((SubscriptionEvent.Seeked) e).positions())
        .toList();
  }

  private String tagged(DeliveryCore<String, String> core, long p0, long p1) {
    return new Cursor(List.of(p0, p1)).encode(core.state().topicId());
  }

  @Test
  void aCursorPastThePartitionsEndIsHeldToIt() {
    var core = core();
    core.start();
    core.headHeard(0, 3, NOW);
    core.headHeard(1, 0, NOW);
    var step = core.attach("c", ConsumerMode.CURSOR, 10, tagged(core, 1_000_000, 0), "s", NOW);
    assertEquals(List.of(List.of(3L, 0L)), seeks(step), "held to the head, 3");
    // The next message published on partition 0 (offset 3) is delivered, not skipped.
    var appended = core.appended(0, messages(0, 3, 4), 4, NOW);
    assertEquals(List.of(3L), offsets(appended));
  }

  @Test
  void aResumeWaitsForTheHeadsAndDeliversNothingMeanwhile() {
    var core = core();
    core.start();
    var attach = core.attach("c", ConsumerMode.CURSOR, 10, tagged(core, 50, 2), "s", NOW);
    assertTrue(seeks(attach).isEmpty(), "no head heard yet: the move waits");
    var first = core.headHeard(0, 10, NOW);
    assertTrue(seeks(first).isEmpty() && offsets(first).isEmpty(), "partition 1 still unknown");
    var second = core.headHeard(1, 5, NOW);
    assertEquals(List.of(List.of(10L, 2L)), seeks(second));
  }

  @Test
  void aCursorOfAnotherIncarnationIsIgnored() {
    var core = core();
    core.start();
    core.headHeard(0, 100, NOW);
    core.headHeard(1, 100, NOW);
    String stale = new Cursor(List.of(40L, 40L)).encode(UUID.randomUUID());
    var step = core.attach("c", ConsumerMode.CURSOR, 10, stale, "s", NOW);
    assertTrue(seeks(step).isEmpty(), "the stream starts at the subscription's own position");
    assertEquals(List.of(0L, 0L), core.state().positions().stream()
        .map(p -> p.committed()).toList());
  }

  @Test
  void theCursorsHandedOutNameTheIncarnation() {
    var core = core();
    core.start();
    core.headHeard(0, 0, NOW);
    core.headHeard(1, 0, NOW);
    var step = core.attach("c", ConsumerMode.CURSOR, 10, null, "s", NOW);
    var delivered = core.appended(0, messages(0, 0, 1), 1, NOW);
    String cursor = delivered.sends().get(0).deliveries().get(0).cursor();
    assertTrue(cursor.startsWith(Cursor.tag(core.state().topicId()) + ":"), cursor);
    assertEquals(Cursor.Fit.FITS,
        Cursor.read(cursor, 2, core.state().topicId()).fit());
    assertTrue(step.events().isEmpty() || seeks(step).isEmpty());
  }
}
