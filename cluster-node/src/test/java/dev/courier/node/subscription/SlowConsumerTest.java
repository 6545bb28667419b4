package dev.courier.node.subscription;

import static dev.courier.node.subscription.CoreFixture.T0;
import static dev.courier.node.subscription.CoreFixture.delivery;
import static dev.courier.node.subscription.CoreFixture.message;
import static dev.courier.node.subscription.CoreFixture.messages;
import static dev.courier.node.subscription.CoreFixture.overflow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.OffsetSpan;
import dev.courier.protocol.subscription.SettingsChange;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The delivery core's overflow policies, keyed snapshot and lag notices, on plain values. */
class SlowConsumerTest {

  private static final long MS = 1_000_000L;
  private static final Duration NO_LINGER = Duration.ZERO;
  private long now = 1_000 * MS;
  private Instant wall = T0;
  private final InstantSource clock = () -> wall;

  private DeliveryCore<String, String> core(ActiveSubscription state) {
    DeliveryCore<String, String> core =
        new DeliveryCore<>(state, delivery(NO_LINGER, Duration.ofMillis(50)), clock);
    core.start();
    return core;
  }

  private DeliveryCore<String, String> core(SubscriptionSettings s) {
    return core(CoreFixture.created(s, 1));
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

  private static List<String> ackIds(Step<String, String> step, String consumer) {
    List<String> out = new ArrayList<>();
    for (var send : step.sends()) {
      if (send.consumer().equals(consumer)) {
        send.deliveries().forEach(d -> out.add(d.record().ackId()));
      }
    }
    return out;
  }

  private static List<SubscriptionEvent.Skipped> skips(Step<String, String> step) {
    return step.events().stream()
        .filter(SubscriptionEvent.Skipped.class::isInstance)
        .map(SubscriptionEvent.Skipped.class::cast)
        .toList();
  }

  private static List<StoredMessage> keyed(long from, String... keys) {
    List<StoredMessage> out = new ArrayList<>();
    for (int i = 0; i < keys.length; i++) {
      out.add(message(0, from + i, keys[i]));
    }
    return out;
  }

  @Test
  void dropOldestKeepsMaxBacklogAndWritesTheSkipsBeforeAnyDelivery() {
    var core = core(overflow("drop-oldest", 5, Duration.ofSeconds(5)));
    core.headHeard(0, 0, now);
    var appended = core.appended(0, messages(0, 0, 20), 20, now);
    assertEquals(List.of(new OffsetSpan(0, 0, 15)), skips(appended).get(0).spans());
    assertEquals(15, skips(appended).get(0).counted());
    assertEquals(15, core.state().skipped());
    assertEquals(15, core.state().position(0).committed());
    var step = core.attach("c", ConsumerMode.CURSOR, 100, null, null, now);
    assertEquals(List.of(15L, 16L, 17L, 18L, 19L), offsets(step, "c"));
    // A new incarnation (failover) starts past the skipped run: nothing skipped comes back.
    var next = core(core.state());
    next.attach("c", ConsumerMode.CURSOR, 100, null, null, now);
    var read = next.headHeard(0, 20, now).reads().get(0);
    assertEquals(15, read.from());
  }

  @Test
  void dropOldestTakesFromThePartitionsFurthestBehind() {
    var core = core(CoreFixture.created(overflow("drop-oldest", 4, Duration.ofSeconds(5)), 2));
    core.headHeard(1, 2, now);
    var step = core.headHeard(0, 10, now);
    // 12 undelivered, 4 allowed: partition 0 gives way down to 2 (8 skipped), partition 1 keeps 2.
    assertEquals(List.of(new OffsetSpan(0, 0, 8)), skips(step).get(0).spans());
    assertEquals(4, core.backlog());
    assertEquals(8, core.state().skipped());
  }

  @Test
  void latestDeliversOnlyTheNewestWaitingMessageOfEachKey() {
    var core = core(overflow("latest", 0, Duration.ofSeconds(5)));
    core.headHeard(0, 0, now);
    core.appended(0, keyed(0, "a", "b", "a", null, "c", "a"), 6, now);
    var step = core.attach("c", ConsumerMode.CURSOR, 100, null, null, now);
    assertEquals(List.of(1L, 3L, 4L, 5L), offsets(step, "c"));
    assertEquals(2, skips(step).stream().mapToLong(SubscriptionEvent.Skipped::counted).sum());
    assertEquals(2, core.state().skipped());
    // A consumer that keeps up gets every message of a key.
    assertEquals(List.of(6L), offsets(core.appended(0, keyed(6, "a"), 7, now), "c"));
    assertEquals(List.of(7L), offsets(core.appended(0, keyed(7, "a"), 8, now), "c"));
  }

  @Test
  void latestUsesTheNewestOffsetsTheCatchUpReadLookedUp() {
    var core = core(overflow("latest", 0, Duration.ofSeconds(5)));
    core.attach("c", ConsumerMode.CURSOR, 100, null, null, now);
    var read = core.headHeard(0, 10, now).reads().get(0);
    assertTrue(read.newest());
    // Offsets 0..4 hold a, b, a, b, c; the log's newest a is at 8, beyond this page.
    var loaded = core.loaded(0, read.generation(), 0, 5, keyed(0, "a", "b", "a", "b", "c"),
        Map.of("a", 8L, "b", 3L, "c", 4L), now);
    assertEquals(List.of(3L, 4L), offsets(loaded, "c"));
    assertEquals(3, core.state().skipped());
  }

  @Test
  void aKeyedSnapshotDeliversEachKeysNewestThenEveryLiveMessage() {
    var core = core(CoreFixture.snapshot(overflow("backpressure", 0, Duration.ofSeconds(5)),
        List.of(6L)));
    core.attach("c", ConsumerMode.CURSOR, 100, null, null, now);
    var read = core.headHeard(0, 6, now).reads().get(0);
    assertTrue(read.newest());
    // Before the boundary: a, b, -, a, c, b (a key's newest is 3, b's 7 beyond the boundary).
    var loaded = core.loaded(0, read.generation(), 0, 6, keyed(0, "a", "b", null, "a", "c", "b"),
        Map.of("a", 3L, "b", 7L, "c", 4L), now);
    assertEquals(List.of(3L, 4L), offsets(loaded, "c"));
    // From the boundary on, everything; b's 7 is b's newest.
    var live = core.appended(0, keyed(6, "a", "b", "a"), 9, now);
    assertEquals(List.of(6L, 7L, 8L), offsets(live, "c"));
    // The snapshot's passing over is written as done, and is not counted as skipped.
    assertEquals(0, core.state().skipped());
    assertTrue(core.state().position(0).isDone(5));
  }

  @Test
  void aKeyedSnapshotPagesThroughSupersededMessagesToALeaseConsumer() {
    snapshotThroughPages(delivery(NO_LINGER, Duration.ofMillis(50)), 300, false);
  }

  @Test
  void aKeyedSnapshotPagesThroughSupersededMessagesWithTheDefaultPaging() {
    var defaults = new DeliverySettings(Duration.ofMillis(250), 1000, 500, 2000,
        Duration.ofMillis(200), 500, Duration.ofMillis(100), 1000, Duration.ofMillis(25),
        Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofMillis(250),
        Duration.ofSeconds(2), Duration.ofSeconds(10), 192 * 1024, 1000, 10_000);
    snapshotThroughPages(defaults, 2000, true);
  }

  /**
   * Two versions of {@code keys} keys before the boundary; a lease consumer acks as it goes and
   * must get each key's second version. {@code idleFirst}: the subscription read ahead before the
   * consumer came.
   */
  private void snapshotThroughPages(DeliverySettings paging, int keys, boolean idleFirst) {
    List<StoredMessage> log = new ArrayList<>();
    for (int v = 0; v < 2; v++) {
      for (int k = 0; k < keys; k++) {
        log.add(message(0, log.size(), "n" + k));
      }
    }
    var core = new DeliveryCore<String, String>(CoreFixture.snapshot(
        overflow("backpressure", 0, Duration.ofSeconds(5)), List.of((long) log.size())), paging,
        clock);
    core.start();
    List<Long> delivered = new ArrayList<>();
    java.util.ArrayDeque<Step.Read> reads = new java.util.ArrayDeque<>();
    Step<String, String> step;
    if (idleFirst) {
      reads.addAll(core.headHeard(0, log.size(), now).reads());
      step = core.attach("l", ConsumerMode.LEASE, 50, null, null, now);
    } else {
      core.attach("l", ConsumerMode.LEASE, 50, null, null, now);
      step = core.headHeard(0, log.size(), now);
    }
    for (int round = 0; round < 10_000 && delivered.size() < keys; round++) {
      reads.addAll(step.reads());
      if (step.timers().stream().anyMatch(t -> t.key() instanceof TimerKey.FlushAcks)) {
        core.timer(new TimerKey.FlushAcks(), now);
      }
      List<Long> got = offsets(step, "l");
      delivered.addAll(got);
      if (!got.isEmpty()) {
        step = core.ack(ackIds(step, "l"), "r", now);
        continue;
      }
      assertFalse(reads.isEmpty(), "stalled after " + delivered.size() + ": " + step);
      var read = reads.poll();
      List<StoredMessage> rows = log.subList((int) read.from(),
          (int) Math.min(read.until(), read.from() + read.limit()));
      Map<String, Long> newest = new java.util.HashMap<>();
      rows.forEach(m -> newest.put(m.key(), (long) keys + Long.parseLong(m.key().substring(1))));
      step = core.loaded(0, read.generation(), read.from(), read.from() + rows.size(), rows,
          newest, now);
    }
    assertEquals(keys, delivered.size());
    assertEquals(keys, delivered.get(0));
  }

  @Test
  void lagNoticesFollowTheirCadence() {
    var core = core(overflow("backpressure", 0, Duration.ofSeconds(5)));
    core.headHeard(0, 0, now);
    core.appended(0, List.of(message(0, 0, null, T0), message(0, 1, null, T0.plusSeconds(1))), 2,
        now);
    var attached = core.attach("c", ConsumerMode.CURSOR, 0, null, null, now);
    assertTrue(attached.timers().stream().anyMatch(t -> t.key() instanceof TimerKey.LagCheck));
    wall = T0.plusSeconds(4);
    assertTrue(check(core).isEmpty(), "under lagWarning: no notice");
    wall = T0.plusSeconds(7);
    var first = check(core);
    assertEquals(List.of(new ConsumerMessage.Lag(2, 7.0, 0, false)), first);
    now += 1_000 * MS;
    wall = wall.plusSeconds(1);
    assertTrue(check(core).isEmpty(), "at most once per lagWarning");
    now += 4_000 * MS;
    wall = wall.plusSeconds(4);
    assertEquals(List.of(new ConsumerMessage.Lag(2, 12.0, 0, false)), check(core));
    // The consumer takes the first message: the oldest waiting one is a second younger.
    core.demand("c", 1, now);
    assertEquals(1, core.backlog());
    now += 5_000 * MS;
    assertEquals(List.of(new ConsumerMessage.Lag(1, 11.0, 0, false)), check(core));
    core.demand("c", 1, now);
    var caughtUp = check(core);
    assertEquals(List.of(new ConsumerMessage.Lag(0, 0.0, 0, true)), caughtUp);
    assertTrue(check(core).isEmpty(), "caught up is said once");
  }

  @Test
  void theLagIsTheAgeOfTheOldestUndeliveredMessage() {
    var core = core(overflow("backpressure", 0, Duration.ofSeconds(5)));
    core.headHeard(0, 0, now);
    core.appended(0, List.of(message(0, 0, null, T0), message(0, 1, null, T0.plusSeconds(3))), 2,
        now);
    core.attach("c", ConsumerMode.LEASE, 1, null, null, now);
    // Offset 0 is leased (delivered); offset 1 waits: lag is its age, not the lease's.
    assertEquals(7.0, core.lagSeconds(T0.plusSeconds(10)));
    assertEquals(1, core.backlog());
  }

  @Test
  void settingsChangeAtOnceAndAreWritten() {
    var core = core(overflow("backpressure", 0, Duration.ofSeconds(5)));
    core.headHeard(0, 0, now);
    core.appended(0, messages(0, 0, 10), 10, now);
    SubscriptionSettings next =
        core.state().settings().with(new SettingsChange("drop-oldest", 3L, null, null, null, null));
    var step = core.changeSettings(next, now);
    assertEquals(new SubscriptionEvent.SettingsChanged(next), step.events().get(0));
    assertEquals(7, skips(step).get(0).counted());
    assertEquals(List.of(7L, 8L, 9L),
        offsets(core.attach("c", ConsumerMode.CURSOR, 10, null, null, now), "c"));
    assertFalse(core.state().settings().conflates());
  }

  private List<ConsumerMessage.Lag> check(DeliveryCore<String, String> core) {
    return core.timer(new TimerKey.LagCheck(), now).notices().stream()
        .map(Step.Notice::lag).toList();
  }
}
