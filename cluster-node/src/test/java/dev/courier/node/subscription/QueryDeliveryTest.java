package dev.courier.node.subscription;

import static dev.courier.node.subscription.CoreFixture.T0;
import static dev.courier.node.subscription.CoreFixture.created;
import static dev.courier.node.subscription.CoreFixture.delivery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A subscription's query in the delivery core: what does not match is passed over as if delivered
 * and acked (persisted, never sent), a projection replaces {@code data} and nothing else, and
 * leases, redelivery, ordering and long polls work as without a query.
 */
class QueryDeliveryTest {

  private static final long MS = 1_000_000L;
  private final long now = 1_000 * MS;

  private static SubscriptionSettings withQuery(String query, boolean ordered) {
    return new SubscriptionSettings("orders", "earliest", Duration.ofSeconds(1), 100, ordered, 5,
        null, "backpressure", 0, Duration.ofSeconds(5), null, query);
  }

  private static DeliveryCore<String, String> core(String query, boolean ordered) {
    return new DeliveryCore<>(
        created(withQuery(query, ordered), 1), delivery(Duration.ZERO, Duration.ofMillis(50)));
  }

  /** Message {@code o} of partition 0: key k(o % 3), {"n": o, "name": "m<o>", "price": o * 10}. */
  private static StoredMessage message(long o) {
    return new StoredMessage("id-" + o, "k" + (o % 3), 0, o, T0.plusSeconds(o),
        Map.of("type", o % 2 == 0 ? "even" : "odd"),
        "{\"n\":" + o + ",\"name\":\"m" + o + "\",\"price\":" + (o * 10) + "}");
  }

  private static List<StoredMessage> messages(long from, long until) {
    List<StoredMessage> out = new ArrayList<>();
    for (long o = from; o < until; o++) {
      out.add(message(o));
    }
    return out;
  }

  private DeliveryCore<String, String> appended(DeliveryCore<String, String> core, int count) {
    core.start();
    core.headHeard(0, 0, now);
    core.appended(0, messages(0, count), count, now);
    return core;
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

  private List<Step<String, String>> pump(
      DeliveryCore<String, String> core, List<Step<String, String>> first) {
    return CoreFixture.pump(core, first, read -> messages(read.from(), read.until()), now);
  }

  private static List<Long> offsets(List<DeliveryRecord> records) {
    return records.stream().map(DeliveryRecord::offset).toList();
  }

  @Test
  void aFilterPassesOverWhatDoesNotMatchAndWritesItAsDone() {
    var core = appended(core("SELECT * FROM orders WHERE data.n % 5 = 0", false), 30);
    var step = core.attach("c", ConsumerMode.CURSOR, 100, null, null, now);
    List<DeliveryRecord> got = records(step, "c");
    assertEquals(List.of(0L, 5L, 10L, 15L, 20L, 25L), offsets(got));
    assertEquals(message(5).data(), got.get(1).data(), "a filter leaves data as stored");
    assertEquals(0, core.skipped(), "filtered messages are not counted as skipped");
    var skipped = step.events().stream()
        .filter(e -> e instanceof SubscriptionEvent.Skipped)
        .map(e -> (SubscriptionEvent.Skipped) e).toList();
    assertFalse(skipped.isEmpty(), "what the filter passed over is written with the step");
    skipped.forEach(k -> assertEquals(0, k.counted()));
    assertEquals(24, skipped.stream()
        .flatMap(k -> k.spans().stream()).mapToLong(sp -> sp.until() - sp.from()).sum());
    for (long o = 0; o < 30; o++) {
      assertEquals(o % 5 != 0, core.state().position(0).isDone(o), "offset " + o);
    }
  }

  @Test
  void passedOverMessagesStayDoneAfterARestartAndDeliveredOnesComeAgainFlagged() {
    var core = appended(core("SELECT * FROM orders WHERE attributes.type = 'even'", false), 10);
    var leased = records(core.attach("l", ConsumerMode.LEASE, 100, null, null, now), "l");
    assertEquals(List.of(0L, 2L, 4L, 6L, 8L), offsets(leased));
    core.ack(List.of(leased.get(0).ackId(), leased.get(1).ackId()), "r", now);

    // A new incarnation from the persisted state reads the log again from its commit point.
    var next = new DeliveryCore<String, String>(
        core.state(), delivery(Duration.ZERO, Duration.ofMillis(50)));
    next.start();
    var steps = pump(next, List.of(next.headHeard(0, 10, now),
        next.attach("l2", ConsumerMode.LEASE, 100, null, null, now)));
    List<DeliveryRecord> again = new ArrayList<>();
    steps.forEach(st -> again.addAll(records(st, "l2")));
    assertEquals(List.of(4L, 6L, 8L), offsets(again), "neither acked nor filtered come back");
    again.forEach(r -> assertEquals(2, r.deliveryAttempt(), "possibly sent before: flagged"));
  }

  @Test
  void aProjectionReplacesDataAndKeepsTheRestOfTheRecord() {
    var core = appended(core(
        "SELECT data.name, data.price * 2 AS twice, key, partition, offset FROM orders"
            + " WHERE data.price >= 30 AND key LIKE 'k1%'", false), 8);
    List<DeliveryRecord> got =
        records(core.attach("l", ConsumerMode.LEASE, 100, null, null, now), "l");
    assertEquals(List.of(4L, 7L), offsets(got));
    DeliveryRecord r = got.get(0);
    assertEquals("{\"name\":\"m4\",\"twice\":80,\"key\":\"k1\",\"partition\":0,\"offset\":4}",
        r.data());
    StoredMessage m = message(4);
    assertEquals(m.id(), r.id());
    assertEquals(m.key(), r.key());
    assertEquals(m.publishTime(), r.publishTime());
    assertEquals(m.attributes(), r.attributes());
    assertEquals("orders", r.topic());
    assertEquals(core.ackIds().mint(0, 4, 1), r.ackId());

    // A nacked projection comes again as projected, with the next attempt.
    var nacked = core.nack(List.of(r.ackId()), Duration.ZERO, "r", now);
    List<DeliveryRecord> again = records(nacked, "l");
    assertEquals(List.of(4L), offsets(again));
    assertEquals(r.data(), again.get(0).data());
    assertEquals(2, again.get(0).deliveryAttempt());
  }

  @Test
  void aPathTheDataLacksIsNullNeverAnError() {
    var core = new DeliveryCore<String, String>(
        created(withQuery("SELECT data.a.b AS b, data.n FROM orders WHERE data.a.b IS NULL", false),
            1),
        delivery(Duration.ZERO, Duration.ofMillis(50)));
    core.start();
    core.headHeard(0, 0, now);
    core.appended(0, List.of(
        new StoredMessage("x", null, 0, 0, T0, Map.of(), "not json"),
        new StoredMessage("y", null, 0, 1, T0, Map.of(), "{\"a\":{\"b\":1}}"),
        new StoredMessage("z", null, 0, 2, T0, Map.of(), "[1,2]"),
        new StoredMessage("w", null, 0, 3, T0, Map.of(), null)), 4, now);
    List<DeliveryRecord> got =
        records(core.attach("c", ConsumerMode.CURSOR, 100, null, null, now), "c");
    assertEquals(List.of(0L, 2L, 3L), offsets(got));
    assertEquals("{\"b\":null,\"n\":null}", got.get(0).data());
  }

  @Test
  void aLongPollGetsOnlyMatchingMessagesAndIsFilledThroughTheLog() {
    var core = core("SELECT data.n FROM orders WHERE data.n > 40", false);
    core.start();
    var steps = pump(core, List.of(core.headHeard(0, 60, now),
        core.pull(10, Duration.ofSeconds(5), "p", now)));
    List<SubscriptionReply.Pulled> answers = new ArrayList<>();
    steps.forEach(st -> st.replies().stream()
        .filter(r -> r.reply() instanceof SubscriptionReply.Pulled)
        .forEach(r -> answers.add((SubscriptionReply.Pulled) r.reply())));
    assertEquals(1, answers.size(), "the poll was answered once");
    SubscriptionReply.Pulled pulled = answers.get(0);
    assertEquals(List.of(41L, 42L, 43L, 44L, 45L, 46L, 47L, 48L, 49L, 50L),
        pulled.messages().stream().map(DeliveryRecord::offset).toList());
    assertEquals("{\"n\":41}", pulled.messages().get(0).data());
  }

  @Test
  void onAnOrderedSubscriptionAFilteredMessageHoldsNoKeyBack() {
    // Keys cycle k0, k1, k2; only k0's messages match, one at a time while leased.
    var core = appended(core("SELECT * FROM orders WHERE key = 'k0'", true), 9);
    var first = records(core.attach("l", ConsumerMode.LEASE, 100, null, null, now), "l");
    assertEquals(List.of(0L), offsets(first), "k0 is in flight: its next waits");
    var acked = core.ack(List.of(first.get(0).ackId()), "r", now);
    assertEquals(List.of(3L), offsets(records(acked, "l")));
    assertFalse(core.state().position(0).isDone(6));
    assertTrue(core.state().position(0).isDone(7), "a filtered k1 is done at once");
  }

  @Test
  void aQueryThatNoLongerCompilesHoldsDelivery() {
    var core = appended(core("SELECT * FROM other", false), 5);
    var step = core.attach("c", ConsumerMode.CURSOR, 100, null, null, now);
    assertEquals(List.of(), records(step, "c"));
    assertFalse(core.state().position(0).isDone(0), "nothing is passed over either");
  }
}
