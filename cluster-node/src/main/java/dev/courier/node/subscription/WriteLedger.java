package dev.courier.node.subscription;

import dev.courier.protocol.subscription.AckId;
import dev.courier.protocol.subscription.DeliveryCounters;
import dev.courier.protocol.subscription.OffsetSpan;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.util.ArrayList;
import java.util.List;

/**
 * What the delivery core owes its journal: acks and dead letters gathered for the next write, the
 * ack requests that are answered once it is written, and whether proven cursor progress waits to
 * be committed. {@code R} is the reply handle.
 */
final class WriteLedger<R> {
  private final List<AckId> acks = new ArrayList<>();
  private final List<AckId> deadLetters = new ArrayList<>();
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

  void await(R replyTo, SubscriptionReply reply) {
    waiters.add(new Step.Reply<>(replyTo, reply));
  }

  boolean hasWrites() {
    return !acks.isEmpty() || !deadLetters.isEmpty();
  }

  /** The gathered acks and dead letters as events (one each at most), forgotten here. */
  List<SubscriptionEvent> drain(DeliveryCounters counters) {
    List<SubscriptionEvent> events = new ArrayList<>(2);
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

  /** The ack requests to answer with the next write, forgotten here. */
  List<Step.Reply<R>> takeWaiters() {
    List<Step.Reply<R>> out = List.copyOf(waiters);
    waiters.clear();
    return out;
  }

  void clear() {
    acks.clear();
    deadLetters.clear();
    waiters.clear();
    commitDue = false;
    flushScheduled = false;
  }
}
