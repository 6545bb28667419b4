package dev.courier.node.subscription;

import static dev.courier.node.subscription.CoreFixture.T0;
import static dev.courier.node.subscription.CoreFixture.created;
import static dev.courier.node.subscription.CoreFixture.delivery;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * An aggregation subscription in the delivery core: every message goes into the windows once,
 * each closed window's rows are delivered on the row lane and acked like messages, and a new
 * incarnation from the persisted state (mid-window, with or without the accepted offsets written
 * as done) gives the same rows exactly once.
 */
class AggregationDeliveryTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MS = 1_000_000L;
  private static final String SQL = "SELECT data.vehicle, COUNT(*), SUM(data.weight) FROM orders"
      + " GROUP BY data.vehicle, TUMBLE(publishTime, INTERVAL '1' MINUTE)";
  private static final int PARTITIONS = 2;
  /** The row lane's index: one past the topic's partitions. */
  private static final int ROWS = PARTITIONS;

  private final long now = 1_000 * MS;
  private final AtomicReference<Instant> wall = new AtomicReference<>(T0);
  private final InstantSource clock = () -> wall.get();

  /** The topic's log: message o of partition p is published at second 20 * o + p. */
  private final List<List<StoredMessage>> log = List.of(new ArrayList<>(), new ArrayList<>());

  private static SubscriptionSettings settings() {
    return new SubscriptionSettings("orders", "earliest", Duration.ofSeconds(30), 100, false, 5,
        null, "backpressure", 0, Duration.ofSeconds(5), null, SQL);
  }

  private DeliveryCore<String, String> core(ActiveSubscription state, Duration ackLinger) {
    return new DeliveryCore<>(state, delivery(ackLinger, Duration.ofMillis(50)), clock);
  }

  private StoredMessage publish(int p, String vehicle, int weight) {
    long o = log.get(p).size();
    StoredMessage m = new StoredMessage("id-" + p + "-" + o, null, p, o,
        T0.plusSeconds(20 * o + p), Map.of(),
        "{\"vehicle\":\"" + vehicle + "\",\"weight\":" + weight + "}");
    log.get(p).add(m);
    return m;
  }

  /** Publishes {@code count} messages per partition, vehicles alternating. */
  private void publishAll(int count) {
    for (int i = 0; i < count; i++) {
      for (int p = 0; p < PARTITIONS; p++) {
        publish(p, i % 2 == 0 ? "truck" : "car", 10 * p + i);
      }
    }
  }

  /** Answers every read the steps ask for from the log, and those that follow; all steps. */
  private List<Step<String, String>> pump(
      DeliveryCore<String, String> core, List<Step<String, String>> first) {
    return CoreFixture.pump(core, first, r -> {
      List<StoredMessage> part = log.get(r.partition());
      return List.copyOf(part.subList(
          (int) Math.min(r.from(), part.size()), (int) Math.min(r.until(), part.size())));
    }, now);
  }

  /** A started incarnation that has heard every partition's head. */
  private List<Step<String, String>> startReading(DeliveryCore<String, String> core) {
    List<Step<String, String>> steps = new ArrayList<>();
    steps.add(core.start());
    for (int p = 0; p < PARTITIONS; p++) {
      steps.add(core.headHeard(p, log.get(p).size(), now));
    }
    return pump(core, steps);
  }

  private static List<DeliveryRecord> records(List<Step<String, String>> steps, String consumer) {
    List<DeliveryRecord> out = new ArrayList<>();
    for (var step : steps) {
      for (var send : step.sends()) {
        if (send.consumer().equals(consumer)) {
          send.deliveries().stream().map(Delivery::record).forEach(out::add);
        }
      }
    }
    return out;
  }

  private static List<String> datas(List<DeliveryRecord> records) {
    return records.stream().map(DeliveryRecord::data).toList();
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new AssertionError(text, e);
    }
  }

  /**
   * The rows a reference computation gives for the whole log: per window of one minute (from T0,
   * which is aligned to the epoch) and vehicle, the count and the sum of weights, in window order
   * then vehicle order; only windows before minute {@code closedThroughMinute}.
   */
  private List<String> expectedRows(long closedThroughMinute) {
    java.util.TreeMap<Long, java.util.TreeMap<String, long[]>> windows = new java.util.TreeMap<>();
    for (List<StoredMessage> part : log) {
      for (StoredMessage m : part) {
        long minute = (m.publishTime().getEpochSecond() - T0.getEpochSecond()) / 60;
        JsonNode d = json(m.data());
        long[] agg = windows.computeIfAbsent(minute, k -> new java.util.TreeMap<>())
            .computeIfAbsent(d.get("vehicle").asText(), k -> new long[2]);
        agg[0]++;
        agg[1] += d.get("weight").asLong();
      }
    }
    List<String> out = new ArrayList<>();
    windows.forEach((minute, groups) -> {
      if (minute < closedThroughMinute) {
        groups.forEach((vehicle, agg) -> out.add(
            "{\"vehicle\":\"" + vehicle + "\",\"count\":" + agg[0] + ",\"sum_weight\":" + agg[1]
                + ",\"windowStart\":\"" + T0.plusSeconds(minute * 60)
                + "\",\"windowEnd\":\"" + T0.plusSeconds(minute * 60 + 60) + "\"}"));
      }
    });
    return out;
  }

  @Test
  void eachClosedWindowsRowsAreDeliveredOnTheRowLaneAndAcked() {
    publishAll(7); // partition 0 up to second 120, partition 1 up to 121: minutes 0 and 1 close
    var core = core(created(settings(), PARTITIONS), Duration.ZERO);
    List<Step<String, String>> steps = startReading(core);
    steps.add(core.attach("l", ConsumerMode.LEASE, 100, null, null, now));
    List<DeliveryRecord> got = records(steps, "l");

    assertEquals(expectedRows(2).stream().map(AggregationDeliveryTest::json).toList(),
        got.stream().map(r -> json(r.data())).toList());
    for (int i = 0; i < got.size(); i++) {
      DeliveryRecord r = got.get(i);
      assertEquals(java.util.Optional.of(new dev.courier.protocol.subscription.AckId(ROWS, i)),
          dev.courier.protocol.subscription.AckId.position(r.ackId()),
          "row i is offset i of the row lane");
      assertEquals(ROWS, r.partition());
      assertEquals(json(r.data()).get("windowEnd").asText(), r.publishTime().toString());
      assertEquals(1, r.deliveryAttempt());
    }
    assertTrue(steps.stream().flatMap(s -> s.events().stream())
            .anyMatch(e -> e instanceof SubscriptionEvent.Aggregated),
        "the windows are persisted in the step that accepted the messages");
    for (int p = 0; p < PARTITIONS; p++) {
      for (long o = 0; o < 7; o++) {
        assertTrue(core.state().position(p).isDone(o), "accepted " + p + "/" + o + " is done");
      }
    }

    var acked = core.ack(got.stream().map(DeliveryRecord::ackId).toList(), "r", now);
    assertTrue(acked.replies().stream().anyMatch(
            r -> r.reply() instanceof SubscriptionReply.AckResult a && a.acked() == got.size()),
        acked.replies().toString());
    assertEquals(got.size(), core.state().position(ROWS).committed());
    assertEquals(List.of(), core.state().aggregation().rows(), "acked rows are forgotten");
    assertEquals(got.size(), core.state().acked());
  }

  @Test
  void aLongPollIsAnsweredWithRows() {
    publishAll(7);
    var core = core(created(settings(), PARTITIONS), Duration.ZERO);
    List<Step<String, String>> steps = startReading(core);
    steps.addAll(pump(core, List.of(core.pull(10, Duration.ofSeconds(5), "p", now))));
    steps.add(core.timer(new TimerKey.Tick(), now + 100 * MS));
    List<DeliveryRecord> pulled = new ArrayList<>();
    steps.forEach(s -> s.replies().stream()
        .filter(r -> r.reply() instanceof SubscriptionReply.Pulled)
        .forEach(r -> pulled.addAll(((SubscriptionReply.Pulled) r.reply()).messages())));
    assertEquals(expectedRows(2).stream().map(AggregationDeliveryTest::json).toList(),
        pulled.stream().map(r -> json(r.data())).toList());
  }

  @Test
  void wallTimeClosesAWindowAfterTheGraceAndLateMessagesAreCountedNotMerged() {
    // Only partition 0 hears anything: the watermark never passes, wall time closes minute 0.
    publish(0, "truck", 1);
    publish(0, "truck", 2);
    var core = core(created(settings(), PARTITIONS), Duration.ZERO);
    List<Step<String, String>> steps = startReading(core);
    steps.add(core.attach("l", ConsumerMode.LEASE, 100, null, null, now));
    assertEquals(List.of(), records(steps, "l"), "an open window delivers nothing");

    wall.set(T0.plusSeconds(64)); // minute 0 ended 4 s ago: within the PT5S grace
    assertEquals(List.of(), records(List.of(core.timer(new TimerKey.WindowClock(), now)), "l"));
    wall.set(T0.plusSeconds(65));
    List<DeliveryRecord> rows =
        records(List.of(core.timer(new TimerKey.WindowClock(), now)), "l");
    assertEquals(List.of(json("{\"vehicle\":\"truck\",\"count\":2,\"sum_weight\":3,"
        + "\"windowStart\":\"2026-01-01T00:00:00Z\",\"windowEnd\":\"2026-01-01T00:01:00Z\"}")),
        rows.stream().map(r -> json(r.data())).toList());

    // Partition 1's first message falls in the closed minute 0: late, counted, never merged.
    StoredMessage late = publish(1, "truck", 100);
    var step = core.appended(1, List.of(late), 1, now);
    assertEquals(List.of(), records(List.of(step), "l"));
    assertEquals(1L, core.view("sub", settings(), "n", wall.get()).late());
    assertTrue(core.state().position(1).isDone(0), "a late message is consumed too");
  }

  @Test
  void aNewIncarnationMidWindowGivesTheSameRowsExactlyOnce() {
    publishAll(7);
    List<String> reference = expectedRows(2); // minute 2 stays open: nothing later arrives

    // First incarnation: reads only the first 4 messages per partition (minute 0 closes), acks
    // nothing; its accepted offsets are not written as done (long ack linger), only Aggregated.
    List<List<StoredMessage>> full = List.of(List.copyOf(log.get(0)), List.copyOf(log.get(1)));
    log.get(0).subList(4, 7).clear();
    log.get(1).subList(4, 7).clear();
    var first = core(created(settings(), PARTITIONS), Duration.ofHours(1));
    List<Step<String, String>> steps = startReading(first);
    steps.add(first.attach("l", ConsumerMode.LEASE, 100, null, null, now));
    List<DeliveryRecord> before = records(steps, "l");
    assertEquals(expectedRows(1), datas(before));
    assertEquals(0, first.state().position(0).committed(), "skips not written yet");
    String rowOfMinute0 = before.get(0).data();

    // The rest is published; a new incarnation starts from the persisted state.
    log.get(0).clear();
    log.get(0).addAll(full.get(0));
    log.get(1).clear();
    log.get(1).addAll(full.get(1));
    var second = core(first.state(), Duration.ZERO);
    List<Step<String, String>> again = startReading(second);
    again.add(second.attach("l2", ConsumerMode.LEASE, 100, null, null, now));
    List<DeliveryRecord> after = records(again, "l2");

    // Minute 0's rows (unacked) come again as the same rows at the same positions, flagged as
    // repeats; minute 1 follows; nothing is counted twice.
    assertEquals(reference.size(), after.size(), datas(after).toString());
    assertEquals(reference.stream().map(AggregationDeliveryTest::json).toList(),
        after.stream().map(r -> json(r.data())).toList());
    assertEquals(rowOfMinute0, after.get(0).data());
    for (int i = 0; i < before.size(); i++) {
      assertEquals(dev.courier.protocol.subscription.AckId.position(before.get(i).ackId()),
          dev.courier.protocol.subscription.AckId.position(after.get(i).ackId()),
          "the same row of the row lane (the attempt differs)");
      assertEquals(before.get(i).id(), after.get(i).id());
      assertEquals(2, after.get(i).deliveryAttempt(), "possibly delivered before");
    }

    // Acked rows never come again from a third incarnation.
    second.ack(after.stream().map(DeliveryRecord::ackId).toList(), "r", now);
    var third = core(second.state(), Duration.ZERO);
    List<Step<String, String>> last = startReading(third);
    last.add(third.attach("l3", ConsumerMode.LEASE, 100, null, null, now));
    assertEquals(List.of(), records(last, "l3"));
  }

  @Test
  void theWindowStateSurvivesItsJsonForm() {
    publishAll(3);
    var core = core(created(settings(), PARTITIONS), Duration.ZERO);
    startReading(core);
    String window = core.state().aggregation().window();
    assertEquals(window, dev.courier.query.WindowState.fromJson(window).toJson());
  }

  @Test
  void rowsWaitingForAnAckHoldBackWhatIsAccepted() {
    publishAll(7);
    DeliverySettings base = delivery(Duration.ZERO, Duration.ofMillis(50));
    DeliverySettings twoRows = new DeliverySettings(
        base.commitInterval(), base.reserveAhead(), base.readPage(), base.bufferPerPartition(),
        base.rewatchDelay(), base.snapshotEvery(), base.leaseCheckInterval(),
        base.maxWaitingPolls(), base.ackLinger(), base.handoffDrain(), base.pollFillWait(),
        base.lagCheckInterval(), base.watchRetry(), base.headCheck(), base.maxBatchBytes(),
        base.maxConsumers(), base.maxDelayedNacks(), base.windowClockInterval(), 2);
    var core = new DeliveryCore<String, String>(created(settings(), PARTITIONS), twoRows, clock);
    List<Step<String, String>> steps = startReading(core);
    steps.add(core.attach("l", ConsumerMode.LEASE, 100, null, null, now));
    List<DeliveryRecord> first = records(steps, "l");
    assertEquals(expectedRows(1), datas(first), "minute 0's two rows, then accepting stops");
    long accepted = core.state().aggregation().acceptedThrough().stream()
        .mapToLong(Long::longValue).sum();
    assertTrue(accepted < 14, "messages wait in the log: accepted " + accepted);

    var acked = pump(core, List.of(
        core.ack(first.stream().map(DeliveryRecord::ackId).toList(), "r", now)));
    List<DeliveryRecord> next = records(acked, "l");
    assertEquals(expectedRows(2).subList(2, 4), datas(next), "minute 1 once rows are acked");
    assertEquals(14, core.state().aggregation().acceptedThrough().stream()
        .mapToLong(Long::longValue).sum());
  }

  @Test
  void dropOldestDropsRowsButAcceptsEveryMessage() {
    publishAll(7);
    var dropping = new SubscriptionSettings("orders", "earliest", Duration.ofSeconds(30), 100,
        false, 5, null, "drop-oldest", 1, Duration.ofSeconds(5), null, SQL);
    var core = core(created(dropping, PARTITIONS), Duration.ZERO);
    List<Step<String, String>> steps = startReading(core);
    assertEquals(14, core.state().aggregation().acceptedThrough().stream()
        .mapToLong(Long::longValue).sum(), "every message accepted, no consumer attached");
    steps.add(core.attach("l", ConsumerMode.LEASE, 100, null, null, now));
    List<String> rows = expectedRows(2);
    assertEquals(rows.subList(rows.size() - 1, rows.size()), datas(records(steps, "l")),
        "the newest row only: maxBacklog 1");
    assertEquals(rows.size() - 1, core.skipped());
  }

  @Test
  void wallTimeClosesNothingWhileTheLogIsStillBeingRead() {
    publishAll(7);
    var core = core(created(settings(), PARTITIONS), Duration.ZERO);
    core.start();
    core.attach("l", ConsumerMode.LEASE, 100, null, null, now);
    // Partition 0's head is heard and read; partition 1 (whose messages are in minute 0 too) not
    // yet: long past the grace, the wall clock must not close minute 0 without them.
    List<Step<String, String>> steps = new ArrayList<>(
        pump(core, List.of(core.headHeard(0, log.get(0).size(), now))));
    wall.set(T0.plusSeconds(3600));
    steps.add(core.timer(new TimerKey.WindowClock(), now));
    assertEquals(List.of(), records(steps, "l"));
    steps.addAll(pump(core, List.of(core.headHeard(1, log.get(1).size(), now))));
    steps.add(core.timer(new TimerKey.WindowClock(), now));
    assertEquals(expectedRows(3), datas(records(steps, "l")), "every minute, nothing late");
    assertEquals(0L, core.view("sub", settings(), "n", wall.get()).late());
  }

  @Test
  void anSseResumeCursorCarriesTheRowLane() {
    publishAll(7);
    var core = core(created(settings(), PARTITIONS), Duration.ZERO);
    List<Step<String, String>> steps = startReading(core);
    steps.add(core.attach("c", ConsumerMode.CURSOR, 100, null, null, now));
    List<Delivery> sent = new ArrayList<>();
    steps.forEach(st -> st.sends().stream().filter(s -> s.consumer().equals("c"))
        .forEach(s -> sent.addAll(s.deliveries())));
    assertEquals(expectedRows(2), sent.stream().map(d -> d.record().data()).toList());

    // A stream that saw the first row resumes after it, on a new incarnation too.
    var next = core(core.state(), Duration.ZERO);
    List<Step<String, String>> resumed = startReading(next);
    resumed.add(next.attach("c2", ConsumerMode.CURSOR, 100, sent.get(0).cursor(), null, now));
    assertEquals(expectedRows(2).subList(1, 4), datas(records(resumed, "c2")));
  }
}
