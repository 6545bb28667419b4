package dev.courier.node.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.OffsetSpan;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random publishing, consuming, reads, restarts and passing time against the delivery core under
 * each overflow policy: under drop-oldest every message is delivered or skipped, never both, and
 * first delivery never waits behind more than maxBacklog messages; under latest each key's newest
 * message is delivered; skips are counted once, even across restarts; lag notices keep their
 * cadence.
 */
class SlowConsumerPropertyTest {

  private static final long MS = 1_000_000L;
  private static final String[] KEYS = {"a", "b", "c", "d", null};
  private static final Duration LAG_WARNING = Duration.ofMillis(500);

  /** One input: 0-2 publish, 3-4 consume, 5 prove, 6-7 complete a read, 8 time, 9 restart. */
  record Op(int kind, int n, int m) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 9),
            Arbitraries.integers().between(0, 12),
            Arbitraries.integers().between(0, 400))
        .as(Op::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(60);
  }

  @Property(tries = 500)
  void dropOldestDeliversOrSkipsEachMessageOnce(
      @ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 12) int maxBacklog) {
    Run run = new Run("drop-oldest", maxBacklog, false);
    run.play(ops);
    Set<Long> both = new HashSet<>(run.delivered);
    both.retainAll(run.skippedOffsets);
    assertTrue(both.isEmpty(), "delivered and skipped: " + both);
    assertEquals(run.published(), run.delivered.size() + run.skippedOffsets.size());
    assertEquals(run.skippedOffsets.size(), run.core.state().skipped());
  }

  @Property(tries = 300)
  void dropOldestCountsEverySkipOnceAcrossRestarts(
      @ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 12) int maxBacklog) {
    Run run = new Run("drop-oldest", maxBacklog, true);
    run.play(ops);
    Set<Long> covered = new HashSet<>(run.delivered);
    covered.addAll(run.skippedOffsets);
    assertEquals(run.published(), covered.size(), "every message delivered or skipped");
    assertEquals(run.skippedOffsets.size(), run.core.state().skipped());
  }

  @Property(tries = 500)
  void latestDeliversEachKeysNewestMessage(
      @ForAll("ops") List<Op> ops, @ForAll boolean restarts) {
    Run run = new Run("latest", 0, restarts);
    run.play(ops);
    Map<String, Long> newest = new HashMap<>();
    for (StoredMessage m : run.log) {
      if (m.key() != null) {
        newest.put(m.key(), m.offset());
      }
      if (m.key() == null) {
        assertTrue(run.delivered.contains(m.offset()), "keyless messages are never conflated");
      }
    }
    newest.values().forEach(o -> assertTrue(run.delivered.contains(o), "newest " + o));
    Set<Long> covered = new HashSet<>(run.delivered);
    covered.addAll(run.skippedOffsets);
    assertEquals(run.published(), covered.size());
    for (long skipped : run.skippedOffsets) {
      StoredMessage m = run.log.get((int) skipped);
      assertTrue(m.key() != null && newest.get(m.key()) > skipped, "skipped " + skipped);
    }
    if (!restarts) {
      assertEquals(run.published(), run.delivered.size() + run.skippedOffsets.size());
    }
  }

  @Property(tries = 500)
  void lagNoticesKeepTheirCadence(@ForAll("ops") List<Op> ops) {
    Run run = new Run("backpressure", 0, false);
    run.play(ops);
    boolean lagging = false;
    long lastLagging = Long.MIN_VALUE;
    for (Run.Seen n : run.notices) {
      if (n.lag().caughtUp()) {
        assertTrue(lagging, "caught up only after lagging");
        assertTrue(n.lag().lagSeconds() * 1000 <= LAG_WARNING.toMillis());
        lagging = false;
      } else {
        assertTrue(n.lag().lagSeconds() * 1000 > LAG_WARNING.toMillis());
        if (lagging) {
          assertTrue(n.at() - lastLagging >= LAG_WARNING.toNanos(), "at most once per lagWarning");
        }
        lagging = true;
        lastLagging = n.at();
      }
    }
  }

  /** One consumer ("c", a cursor consumer) on a one-partition topic whose log the run keeps. */
  private static final class Run {
    record Seen(long at, ConsumerMessage.Lag lag) {}

    final SubscriptionSettings settings;
    final boolean restarts;
    final List<StoredMessage> log = new ArrayList<>();
    final Set<Long> delivered = new HashSet<>();
    final Set<Long> proven = new HashSet<>();
    /** Proven offsets whose commit was written: a crash cannot bring them back. */
    final Set<Long> committed = new HashSet<>();
    final Set<Long> skippedOffsets = new HashSet<>();
    final ArrayDeque<Long> unproven = new ArrayDeque<>();
    final ArrayDeque<Step.Read> reads = new ArrayDeque<>();
    final List<Seen> notices = new ArrayList<>();
    final DeliverySettings delivery =
        CoreFixture.delivery(Duration.ZERO, Duration.ofMillis(30), Duration.ofMillis(50));
    long now = 1_000 * MS;
    Instant wall = CoreFixture.T0;
    DeliveryCore<String, String> core;

    Run(String overflow, long maxBacklog, boolean restarts) {
      this.settings = CoreFixture.overflow(overflow, maxBacklog, LAG_WARNING);
      this.restarts = restarts;
      start(CoreFixture.created(settings, 1));
    }

    int published() {
      return log.size();
    }

    void start(ActiveSubscription state) {
      core = new DeliveryCore<>(state, delivery, () -> wall);
      reads.clear();
      unproven.clear();
      apply(core.start());
      apply(core.attach("c", ConsumerMode.CURSOR, 0, null, null, now));
      apply(core.headHeard(0, log.size(), now));
    }

    void play(List<Op> ops) {
      ops.forEach(this::one);
      drain();
    }

    void one(Op op) {
      switch (op.kind()) {
        case 0, 1, 2 -> {
          List<StoredMessage> added = new ArrayList<>();
          for (int i = 0; i <= op.n(); i++) {
            String key = KEYS[(op.m() + i * 3) % KEYS.length];
            StoredMessage m = CoreFixture.message(0, log.size(), key, wall);
            log.add(m);
            added.add(m);
          }
          apply(core.appended(0, added, log.size(), now));
        }
        case 3, 4 -> apply(core.demand("c", op.n(), now));
        case 5 -> prove(op.n());
        case 6, 7 -> completeRead();
        case 8 -> advance(op.m() * MS * 5);
        default -> {
          // A crash: whatever the journal holds is all the next incarnation knows.
          if (restarts) {
            proven.removeIf(o -> !committed.contains(o));
            start(core.state());
          }
        }
      }
      assertTrue(
          !settings.dropsOldest() || core.backlog() <= settings.maxBacklog() + unprovenGivenBack(),
          "backlog " + core.backlog() + " over maxBacklog");
    }

    /** Redeliveries wait outside first delivery's backlog; none here (one consumer stays). */
    private int unprovenGivenBack() {
      return 0;
    }

    void prove(int n) {
      int count = Math.min(n, unproven.size());
      for (int i = 0; i < count; i++) {
        proven.add(unproven.poll());
      }
      apply(core.proven("c", count, now));
    }

    void completeRead() {
      Step.Read r = reads.poll();
      if (r == null) {
        return;
      }
      List<StoredMessage> rows = new ArrayList<>();
      Map<String, Long> newest = new HashMap<>();
      for (long o = r.from(); o < r.until() && o < log.size() && rows.size() < r.limit(); o++) {
        rows.add(log.get((int) o));
      }
      if (r.newest()) {
        Set<String> keys = new HashSet<>();
        rows.forEach(m -> keys.add(m.key()));
        for (StoredMessage m : log) {
          if (m.key() != null && keys.contains(m.key())) {
            newest.put(m.key(), m.offset());
          }
        }
      }
      apply(core.loaded(0, r.generation(), r.from(), r.until(), rows, newest, now));
    }

    void advance(long nanos) {
      now += nanos;
      wall = wall.plusNanos(nanos);
      apply(core.timer(new TimerKey.LagCheck(), now));
      Set<Long> provenBefore = new HashSet<>(proven);
      apply(core.timer(new TimerKey.FlushCommits(), now));
      committed.addAll(provenBefore);
    }

    void drain() {
      for (int round = 0; round < 10_000; round++) {
        apply(core.demand("c", 50, now));
        prove(unproven.size());
        if (reads.isEmpty() && core.backlog() == 0) {
          return;
        }
        completeRead();
      }
      throw new AssertionError("did not drain");
    }

    void apply(Step<String, String> step) {
      for (SubscriptionEvent e : step.events()) {
        if (e instanceof SubscriptionEvent.Skipped k && k.counted() > 0) {
          long n = 0;
          for (OffsetSpan span : k.spans()) {
            for (long o = span.from(); o < span.until(); o++) {
              assertFalse(committed.contains(o) || (proven.contains(o) && !restarts),
                  "skipped a proven offset " + o);
              n++;
              skippedOffsets.add(o);
            }
          }
          assertEquals(k.counted(), n);
        }
      }
      for (var send : step.sends()) {
        send.deliveries().forEach(d -> {
          delivered.add(d.record().offset());
          unproven.add(d.record().offset());
        });
      }
      for (var notice : step.notices()) {
        notices.add(new Seen(now, notice.lag()));
      }
      reads.addAll(step.reads());
    }
  }
}
