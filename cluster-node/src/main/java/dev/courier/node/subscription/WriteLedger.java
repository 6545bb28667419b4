package dev.courier.node.subscription;

import dev.courier.protocol.subscription.AckId;
import dev.courier.protocol.subscription.DeliveryCounters;
import dev.courier.protocol.subscription.OffsetSpan;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.util.ArrayList;
import java.util.List;

/**
 * What the delivery core owes its journal: acks, dead letters and skips gathered for the next
 * write, the
 * ack requests that are answered once it is written, and whether proven cursor progress waits to
 * be committed. {@code R} is the reply handle.
 */
final class WriteLedger<R> {
  private final List<AckId> acks = new ArrayList<>();
  private final List<AckId> deadLetters = new ArrayList<>();
  private final List<OffsetSpan> skips = new ArrayList<>();
  private long skipsCounted;
  private final List<Step.Reply<R>> waiters = new ArrayList<>();
  /** Cursor consumers proved deliveries since the last commit. */
  boolean commitDue;
  /** A timer will flush the gathered acks. */
  boolean flushScheduled;

  void ack(AckId id) {
    acks.add(id);
  }

  void deadLetter(AckId id) {
    deadLetters.add(id);
  }

  /**
   * Offsets passed over without delivery; {@code counted} when the overflow policy skipped them (a
   * snapshot's filtering is not counted).
   */
  void skip(OffsetSpan span, boolean counted) {
    skips.add(span);
    if (counted) {
      skipsCounted += span.until() - span.from();
    }
  }

  boolean hasSkips() {
    return !skips.isEmpty();
  }

  void await(R replyTo, SubscriptionReply reply) {
    waiters.add(new Step.Reply<>(replyTo, reply));
  }

  boolean hasWrites() {
    return !acks.isEmpty() || !deadLetters.isEmpty();
  }

  /**
   * The gathered skips, acks and dead letters as events (one each at most), forgotten here. Skips
   * go first, so a commit written with them never counts a skipped offset as acknowledged.
   */
  List<SubscriptionEvent> drain(DeliveryCounters counters) {
    List<SubscriptionEvent> events = new ArrayList<>(3);
    events.addAll(drainSkips(counters));
    if (!acks.isEmpty()) {
      events.add(new SubscriptionEvent.Acked(OffsetSpan.of(acks), counters));
      acks.clear();
    }
    if (!deadLetters.isEmpty()) {
      events.add(new SubscriptionEvent.DeadLettered(OffsetSpan.of(deadLetters), counters));
      deadLetters.clear();
    }
    return events;
  }

  /** The gathered skips as an event, if any, forgotten here. */
  List<SubscriptionEvent> drainSkips(DeliveryCounters counters) {
    if (skips.isEmpty()) {
      return List.of();
    }
    var event = new SubscriptionEvent.Skipped(OffsetSpan.merge(skips), skipsCounted, counters);
    skips.clear();
    skipsCounted = 0;
    return List.of(event);
  }

  /** The ack requests to answer with the next write, forgotten here. */
  List<Step.Reply<R>> takeWaiters() {
    List<Step.Reply<R>> out = List.copyOf(waiters);
    waiters.clear();
    return out;
  }

  void clear() {
    acks.clear();
    deadLetters.clear();
    skips.clear();
    skipsCounted = 0;
    waiters.clear();
    commitDue = false;
    flushScheduled = false;
  }
}
