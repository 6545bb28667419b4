package dev.courier.node.subscription;

import dev.courier.protocol.WireSize;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one input to the {@link DeliveryCore} asks its shell to do. The shell first persists
 * {@code events} (the core has applied them to its own copy of the state already); only once they
 * are written does it carry out the rest, in this order: timers, reads, dead-letter writes, sends,
 * lag notices, closes, replies; then it stops if {@code stop}. So a delivery never leaves before the reservation
 * and attempts that cover it are durable, and an ack is never confirmed before it is durable.
 *
 * @param <C> the consumer handle
 * @param <R> the reply handle
 */
record Step<C, R>(
    List<SubscriptionEvent> events,
    List<Send<C>> sends,
    List<Notice<C>> notices,
    List<Close<C>> closes,
    List<Reply<R>> replies,
    List<Read> reads,
    List<DeadLetter> deadLetters,
    List<StartTimer> timers,
    List<TimerKey> cancelledTimers,
    boolean stop) {

  /**
   * Deliveries for one consumer, in order: one message to it. A consumer's deliveries of one step
   * are cut into sends of at most the builder's batch bytes each (a larger delivery goes alone), so
   * each fits the frame of a message between nodes.
   */
  record Send<C>(C consumer, List<Delivery> deliveries) {}

  /** An in-band lag notice for one consumer, sent after its deliveries of the same step. */
  record Notice<C>(C consumer, ConsumerMessage.Lag lag) {}

  /** The consumer is detached by the core (replaced by a newer attachment of its stream). */
  record Close<C>(C consumer, String reason) {}

  record Reply<R>(R to, SubscriptionReply reply) {}

  /**
   * A catch-up read of {@code [from, until)}, at most {@code limit} rows; answer with loaded. With
   * {@code newest}, also look up the newest offset in the log of each key the rows hold.
   */
  record Read(int partition, int generation, long from, long until, int limit, boolean newest) {}

  /** Write this message, out of attempts, to the dead-letter topic; answer with the outcome. */
  record DeadLetter(int partition, long offset, long leaseId, StoredMessage message, int attempts) {}

  record StartTimer(TimerKey key, Duration delay, boolean repeat) {}

  boolean isEmpty() {
    return events.isEmpty() && sends.isEmpty() && notices.isEmpty() && closes.isEmpty() && replies.isEmpty()
        && reads.isEmpty() && deadLetters.isEmpty() && timers.isEmpty()
        && cancelledTimers.isEmpty() && !stop;
  }

  /** Gathers one step while the core handles an input. */
  static final class Builder<C, R> {
    final List<SubscriptionEvent> events = new ArrayList<>();
    final Map<C, List<Delivery>> sends = new LinkedHashMap<>();
    final List<Notice<C>> notices = new ArrayList<>();
    final List<Close<C>> closes = new ArrayList<>();
    final List<Reply<R>> replies = new ArrayList<>();
    final List<Read> reads = new ArrayList<>();
    final List<DeadLetter> deadLetters = new ArrayList<>();
    final List<StartTimer> timers = new ArrayList<>();
    final List<TimerKey> cancelled = new ArrayList<>();
    boolean stop;
    private final long maxBatchBytes;

    /** {@code maxBatchBytes}: the most bytes of deliveries one send to a consumer carries. */
    Builder(long maxBatchBytes) {
      this.maxBatchBytes = maxBatchBytes;
    }

    void send(C consumer, Delivery delivery) {
      sends.computeIfAbsent(consumer, c -> new ArrayList<>()).add(delivery);
    }

    void reply(R to, SubscriptionReply reply) {
      replies.add(new Reply<>(to, reply));
    }

    void start(TimerKey key, Duration delay, boolean repeat) {
      timers.add(new StartTimer(key, delay, repeat));
    }

    Step<C, R> build() {
      List<Send<C>> out = new ArrayList<>(sends.size());
      sends.forEach(
          (c, d) -> WireSize.batches(d, Delivery::wireSize, maxBatchBytes)
              .forEach(batch -> out.add(new Send<>(c, batch))));
      return new Step<>(
          List.copyOf(events), List.copyOf(out), List.copyOf(notices), List.copyOf(closes), List.copyOf(replies),
          List.copyOf(reads), List.copyOf(deadLetters), List.copyOf(timers),
          List.copyOf(cancelled), stop);
    }
  }
}
