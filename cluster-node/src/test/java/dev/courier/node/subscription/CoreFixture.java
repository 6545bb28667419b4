package dev.courier.node.subscription;

import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Plain values for driving a {@link DeliveryCore} in tests: settings, a topic, messages. */
final class CoreFixture {
  private CoreFixture() {}

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** The most bytes of deliveries in one send or one long poll's answer (the default). */
  static final long BATCH_BYTES = 192 * 1024;

  static DeliverySettings delivery(Duration ackLinger, Duration pollFillWait) {
    return delivery(ackLinger, pollFillWait, Duration.ofHours(1));
  }

  /** With cursor commits every {@code commitInterval} (an hour above: only when asked for). */
  static DeliverySettings delivery(
      Duration ackLinger, Duration pollFillWait, Duration commitInterval) {
    return new DeliverySettings(
        commitInterval, 10, 100, 1000, Duration.ofSeconds(1), 1000, Duration.ofMillis(20),
        10, ackLinger, Duration.ofSeconds(2), pollFillWait, Duration.ofMillis(250),
        Duration.ofSeconds(2), Duration.ofSeconds(10), BATCH_BYTES, 1000, 10_000);
  }

  /** A subscription registry that records nothing. */
  static dev.courier.persistence.SubscriptionNames noNames() {
    return new dev.courier.persistence.SubscriptionNames() {
      @Override
      public java.util.concurrent.CompletableFuture<Void> register(
          String name, String topic, Instant at) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      }

      @Override
      public java.util.concurrent.CompletableFuture<Void> unregister(String name) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
      }
    };
  }

  static SubscriptionSettings subscription(
      int maxInFlight, boolean ordered, int maxDeliveries, Duration ackDeadline) {
    return new SubscriptionSettings("orders", "earliest", ackDeadline, maxInFlight, ordered,
        maxDeliveries, null, "backpressure", Duration.ofSeconds(5), null);
  }

  static ActiveSubscription created(SubscriptionSettings settings, int partitions) {
    List<Long> start = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      start.add(0L);
    }
    return new NoSubscription()
        .created(new SubscriptionEvent.Created("sub", settings, "orders", UUID.randomUUID(),
            partitions, start, List.of(), T0));
  }

  static StoredMessage message(int partition, long offset, String key) {
    return new StoredMessage("m-" + partition + "-" + offset, key, partition, offset, T0,
        Map.of(), "{}");
  }

  static StoredMessage message(int partition, long offset, String key, Instant publishTime) {
    return new StoredMessage("m-" + partition + "-" + offset, key, partition, offset, publishTime,
        Map.of(), "{}");
  }

  /** A subscription with this overflow policy (and maxBacklog) and lag warning. */
  static SubscriptionSettings overflow(String overflow, long maxBacklog, Duration lagWarning) {
    return new SubscriptionSettings("orders", "earliest", Duration.ofSeconds(30), 1000, false, 10,
        null, overflow, maxBacklog, lagWarning, null);
  }

  /** A keyed snapshot subscription whose boundary is {@code until} on each partition. */
  static ActiveSubscription snapshot(SubscriptionSettings settings, List<Long> until) {
    List<Long> start = new ArrayList<>();
    for (int p = 0; p < until.size(); p++) {
      start.add(0L);
    }
    return new NoSubscription()
        .created(new SubscriptionEvent.Created("sub", settings, "orders", UUID.randomUUID(),
            until.size(), start, until, T0));
  }

  static List<StoredMessage> messages(int partition, long from, long until) {
    List<StoredMessage> out = new ArrayList<>();
    for (long o = from; o < until; o++) {
      out.add(message(partition, o, null));
    }
    return out;
  }

  /**
   * Answers the reads of {@code first} with {@code log} (the rows of one read), and those of the
   * steps that follow, until none is asked for; every step taken, in order.
   */
  static List<Step<String, String>> pump(
      DeliveryCore<String, String> core, List<Step<String, String>> first,
      java.util.function.Function<Step.Read, List<StoredMessage>> log, long now) {
    List<Step<String, String>> steps = new ArrayList<>(first);
    List<Step.Read> reads = new ArrayList<>();
    first.forEach(s -> reads.addAll(s.reads()));
    while (!reads.isEmpty()) {
      Step.Read read = reads.remove(0);
      var step = core.loaded(read.partition(), read.generation(), read.from(), read.until(),
          log.apply(read), now);
      steps.add(step);
      reads.addAll(step.reads());
    }
    return steps;
  }
}
