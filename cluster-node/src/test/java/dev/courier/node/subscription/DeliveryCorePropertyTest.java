package dev.courier.node.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.subscription.AckId;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random sequences of inputs against the delivery core on a small two-partition topic, checking
 * after every step: no confirmed ack is delivered again, windows and maxInFlight hold, an ordered
 * subscription has one message per key in flight, and in the end every message gets done.
 */
class DeliveryCorePropertyTest {

  private static final long MS = 1_000_000L;
  private static final int MAX_IN_FLIGHT = 6;
  private static final Duration ACK_DEADLINE = Duration.ofMillis(200);
  /** Cursor progress is committed this often, as the entity's timer does, among the other inputs. */
  private static final Duration COMMIT_INTERVAL = Duration.ofMillis(50);
  private static final String[] KEYS = {"a", "b", "c", null};
  private static final List<String> CONSUMERS = List.of("L0", "L1", "L2", "C3", "C4");

  /** One input, with small numbers the harness maps onto the current situation. */
  record Op(int kind, int who, int n, int m) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 11),
            Arbitraries.integers().between(0, 4),
            Arbitraries.integers().between(-1, 5),
            Arbitraries.integers().between(0, 120))
        .as(Op::new)
        .list()
        .ofMinSize(1)
        .ofMaxSize(80);
  }

  /**
   * A cursor delivery proven while a long poll was pending, then its consumer gone: the periodic
   * commit writes it even though the subscription never went idle.
   */
  @Example
  void aProvenDeliveryIsCommittedAfterItsConsumerLeaves() {
    new Run(true).play(List.of(new Op(0, 3, 1, 0), new Op(9, 0, 0, 0), new Op(3, 3, 1, 0),
        new Op(7, 0, 0, 0)));
  }

  @Property(tries = 1000)
  void deliveryKeepsItsPromises(@ForAll("ops") List<Op> ops, @ForAll boolean ordered) {
    new Run(ordered).play(ops);
  }

  /** A model lease: who holds an offset, its key, its deadline. */
  /** A lease as the model sees it; {@code ackId} is the id of this delivery attempt. */
  private record Held(String holder, String key, long deadline, String ackId) {}

  private static final class Run {
    final boolean ordered;
    final DeliveryCore<String, String> core;
    final Map<Integer, List<StoredMessage>> log = new HashMap<>();
    final ArrayDeque<Step.Read> reads = new ArrayDeque<>();
    final TreeMap<Long, List<Step.StartTimer>> timers = new TreeMap<>();
    final Set<TimerKey> armed = new HashSet<>();
    final Map<AckId, Held> leases = new HashMap<>();
    final Map<String, Integer> windows = new HashMap<>();
    final Map<String, ArrayDeque<AckId>> unproven = new HashMap<>();
    final Set<AckId> confirmed = new HashSet<>();
    /** Ack ids of every delivery so far, stale attempts included. */
    final List<String> seen = new ArrayList<>();
    final Map<String, List<String>> ackRequests = new HashMap<>();
    ActiveSubscription shadow;
    long now = 1_000 * MS;
    int replies;

    Run(boolean ordered) {
      this.ordered = ordered;
      shadow = CoreFixture.created(
          CoreFixture.subscription(MAX_IN_FLIGHT, ordered, 4, ACK_DEADLINE), 2);
      core = new DeliveryCore<>(shadow,
          CoreFixture.delivery(Duration.ofMillis(10), Duration.ofMillis(30), COMMIT_INTERVAL));
      for (int p = 0; p < 2; p++) {
        log.put(p, new ArrayList<>());
        for (int i = 0; i < 8; i++) {
          publish(p, i);
        }
      }
      apply(core.start());
      apply(core.headHeard(0, 8, now));
      apply(core.headHeard(1, 8, now));
    }

    StoredMessage publish(int p, int salt) {
      List<StoredMessage> part = log.get(p);
      // A key hashes to one partition: the same letter on another partition is another key.
      String key = KEYS[(salt + part.size()) % 4];
      StoredMessage m = CoreFixture.message(p, part.size(), key == null ? null : key + p);
      part.add(m);
      return m;
    }

    void play(List<Op> ops) {
      for (Op op : ops) {
        one(op);
      }
      drain();
    }

    void one(Op op) {
      String who = CONSUMERS.get(op.who());
      boolean lease = who.startsWith("L");
      switch (op.kind()) {
        case 0 -> {
          int credit = op.n();
          windows.putIfAbsent(who, lease ? (credit < 0 ? MAX_IN_FLIGHT : credit) : 0);
          apply(core.attach(who, lease ? ConsumerMode.LEASE : ConsumerMode.CURSOR, credit, null,
              null, now));
        }
        case 1 -> detach(who);
        case 2 -> {
          if (lease && windows.containsKey(who)) {
            windows.put(who, op.n() < 0 ? MAX_IN_FLIGHT : op.n());
            apply(core.window(who, op.n(), now));
          } else {
            apply(core.demand(who, op.n(), now));
          }
        }
        case 3 -> {
          ArrayDeque<AckId> mine = unproven.getOrDefault(who, new ArrayDeque<>());
          int n = Math.max(0, op.n());
          for (int i = 0; i < n && !mine.isEmpty(); i++) {
            mine.poll();
          }
          apply(core.proven(who, n, now));
        }
        case 4, 5 -> ack(op);
        case 6 -> {
          if (!seen.isEmpty()) {
            String text = seen.get(op.m() % seen.size());
            Held held = endLease(text);
            apply(core.nack(List.of(text), Duration.ofMillis(op.n() > 2 ? 50 : 0),
                "nack", now));
            if (held == null) {
              return;
            }
          }
        }
        case 7 -> apply(core.pull(Math.max(1, op.n()), Duration.ofMillis(op.m()), "P" + op.m(),
            now));
        case 8 -> {
          int p = op.who() % 2;
          List<StoredMessage> added = new ArrayList<>();
          for (int i = 0; i <= Math.max(0, op.n()); i++) {
            added.add(publish(p, op.m()));
          }
          apply(core.appended(p, added, log.get(p).size(), now));
        }
        case 9, 10 -> completeRead();
        default -> advance(op.m() * MS);
      }
    }

    void detach(String who) {
      leases.values().removeIf(h -> h.holder().equals(who));
      unproven.remove(who);
      windows.remove(who);
      apply(core.detach(who, now));
    }

    void ack(Op op) {
      if (seen.isEmpty()) {
        return;
      }
      List<String> ids = new ArrayList<>();
      for (int i = 0; i <= Math.max(0, op.n()) % 3; i++) {
        ids.add(seen.get((op.m() + i * 7) % seen.size()));
      }
      ids.forEach(this::endLease);
      String replyTo = "A" + (replies++);
      ackRequests.put(replyTo, ids);
      apply(core.ack(ids, replyTo, now));
    }

    /** The lease an ack id ends: only the one of its own attempt (a stale id ends nothing). */
    Held endLease(String text) {
      AckId id = AckId.position(text).orElseThrow();
      Held held = leases.get(id);
      return held != null && held.ackId().equals(text) ? leases.remove(id) : null;
    }

    void completeRead() {
      Step.Read r = reads.poll();
      if (r == null) {
        return;
      }
      List<StoredMessage> rows = log.get(r.partition()).stream()
          .filter(m -> m.offset() >= r.from() && m.offset() < r.until())
          .limit(r.limit())
          .toList();
      apply(core.loaded(r.partition(), r.generation(), r.from(), r.until(), rows, now));
    }

    void advance(long nanos) {
      long until = now + nanos;
      while (!timers.isEmpty() && timers.firstKey() <= until) {
        var due = timers.pollFirstEntry();
        now = Math.max(now, due.getKey());
        for (Step.StartTimer t : due.getValue()) {
          if (!armed.contains(t.key())) {
            continue;
          }
          if (t.repeat()) {
            timers.computeIfAbsent(now + t.delay().toNanos(), k -> new ArrayList<>()).add(t);
          } else {
            armed.remove(t.key());
          }
          if (t.key() instanceof TimerKey.Tick) {
            long at = now;
            leases.values().removeIf(h -> h.deadline() <= at);
          }
          apply(core.timer(t.key(), now));
        }
      }
      now = until;
    }

    /** Carries a step out as the entity would, checking the invariants on what it sends. */
    void apply(Step<String, String> step) {
      for (var e : step.events()) {
        shadow = shadow.apply(e);
      }
      assertEquals(shadow, core.state(), "the core's state is what its events make");
      for (TimerKey k : step.cancelledTimers()) {
        armed.remove(k);
      }
      for (Step.StartTimer t : step.timers()) {
        armed.add(t.key());
        timers.computeIfAbsent(now + t.delay().toNanos(), k -> new ArrayList<>()).add(t);
      }
      reads.addAll(step.reads());
      for (var send : step.sends()) {
        String who = send.consumer();
        for (var d : send.deliveries()) {
          if (who.startsWith("L")) {
            leased(who, d.record());
          } else {
            delivered(d.record());
            unproven.computeIfAbsent(who, k -> new ArrayDeque<>()).add(ackId(d.record()));
          }
        }
        if (who.startsWith("L")) {
          long held = leases.values().stream().filter(h -> h.holder().equals(who)).count();
          assertTrue(held <= windows.getOrDefault(who, 0), "window of " + who);
        }
      }
      for (var reply : step.replies()) {
        if (reply.reply() instanceof SubscriptionReply.Pulled pulled) {
          pulled.messages().forEach(r -> leased(reply.to(), r));
        } else if (reply.reply() instanceof SubscriptionReply.AckResult result) {
          result.durable().forEach(t -> confirmed.add(AckId.position(t).orElseThrow()));
        }
      }
    }

    void leased(String holder, DeliveryRecord r) {
      AckId id = ackId(r);
      delivered(r);
      if (ordered && r.key() != null) {
        for (var e : leases.entrySet()) {
          assertFalse(r.key().equals(e.getValue().key()) && !e.getKey().equals(id),
              "key " + r.key() + " is in flight twice: " + e.getKey() + " and " + id);
        }
      }
      leases.put(id, new Held(holder, r.key(), now + ACK_DEADLINE.toNanos(), r.ackId()));
      assertTrue(leases.size() <= MAX_IN_FLIGHT + pollSlack(), "maxInFlight");
    }

    /** Polls answered in the same step as the lease they replace expired are counted once. */
    int pollSlack() {
      return 0;
    }

    void delivered(DeliveryRecord r) {
      AckId id = ackId(r);
      assertFalse(confirmed.contains(id), "a confirmed ack was delivered again: " + id);
      seen.add(r.ackId());
    }

    static AckId ackId(DeliveryRecord r) {
      return new AckId(r.partition(), r.offset());
    }

    /** Everyone leaves; one consumer takes and acks everything; every offset must end done. */
    void drain() {
      for (String c : CONSUMERS) {
        detach(c);
      }
      leases.clear();
      windows.put("L0", 1000);
      apply(core.attach("L0", ConsumerMode.LEASE, 1000, null, null, now));
      for (int round = 0; round < 200; round++) {
        while (!reads.isEmpty()) {
          completeRead();
        }
        List<String> ids = leases.values().stream().map(Held::ackId).toList();
        if (!ids.isEmpty()) {
          leases.clear();
          apply(core.ack(ids, "drain", now));
        }
        advance(100 * MS);
      }
      for (var part : log.entrySet()) {
        for (StoredMessage m : part.getValue()) {
          assertTrue(core.state().position(part.getKey()).isDone(m.offset()),
              "offset " + part.getKey() + "-" + m.offset() + " never got done");
        }
      }
    }
  }
}
