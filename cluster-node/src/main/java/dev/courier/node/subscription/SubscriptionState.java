package dev.courier.node.subscription;

import dev.courier.protocol.CborSerializable;
import dev.courier.protocol.subscription.OffsetSpan;
import dev.courier.protocol.subscription.DeliveryCounters;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * What a subscription remembers across restarts and failover, rebuilt from its events: settings,
 * the topic incarnation it reads, per-partition positions and running totals. {@code settings} is
 * null until the subscription is created (or after it is deleted).
 */
public record SubscriptionState(
    SubscriptionSettings settings,
    String topic,
    UUID topicId,
    Instant createdAt,
    List<PartitionPosition> positions,
    long acked,
    long deadLettered,
    DeliveryCounters counters)
    implements CborSerializable {

  public SubscriptionState {
    positions = List.copyOf(positions);
    counters = counters == null ? DeliveryCounters.ZERO : counters;
  }

  public static SubscriptionState empty() {
    return new SubscriptionState(null, null, null, null, List.of(), 0, 0, DeliveryCounters.ZERO);
  }

  public boolean exists() {
    return settings != null;
  }

  public int partitions() {
    return positions.size();
  }

  public PartitionPosition position(int partition) {
    return positions.get(partition);
  }

  /** The pure event handler. */
  public SubscriptionState apply(SubscriptionEvent event) {
    if (event instanceof SubscriptionEvent.Created c) {
      List<PartitionPosition> start = new ArrayList<>();
      for (long offset : c.startPositions()) {
        start.add(PartitionPosition.at(offset));
      }
      return new SubscriptionState(
          c.settings(), c.topic(), c.topicId(), c.at(), start, 0, 0, DeliveryCounters.ZERO);
    }
    if (event instanceof SubscriptionEvent.DeliveryReserved r) {
      return withPositions(i -> positions.get(i).reserve(r.marks().get(i)));
    }
    if (event instanceof SubscriptionEvent.Committed c) {
      long before = done();
      SubscriptionState next = withPositions(i -> positions.get(i).commit(c.positions().get(i)));
      return next.with(acked + Math.max(0, next.done() - before), deadLettered, c.counters());
    }
    if (event instanceof SubscriptionEvent.Acked a) {
      SubscriptionState next = withAcks(a.spans());
      return next.with(acked + (next.done() - done()), deadLettered, a.counters());
    }
    if (event instanceof SubscriptionEvent.DeadLettered d) {
      SubscriptionState next = withAcks(d.spans());
      return next.with(acked, deadLettered + (next.done() - done()), d.counters());
    }
    if (event instanceof SubscriptionEvent.Seeked s) {
      return withPositions(i -> positions.get(i).seek(s.positions().get(i)));
    }
    if (event instanceof SubscriptionEvent.Deleted) {
      return empty();
    }
    throw new IllegalArgumentException("unknown event " + event);
  }

  private SubscriptionState withAcks(List<OffsetSpan> spans) {
    Map<Integer, List<Long>> byPartition = new HashMap<>();
    for (OffsetSpan span : spans) {
      if (span.partition() < positions.size()) {
        List<Long> bounds = byPartition.computeIfAbsent(span.partition(), p -> new ArrayList<>());
        bounds.add(span.from());
        bounds.add(span.until());
      }
    }
    return withPositions(
        i -> {
          List<Long> bounds = byPartition.get(i);
          return bounds == null ? positions.get(i) : positions.get(i).ackRanges(bounds);
        });
  }

  /** Offsets done below the commit points plus acks above them (for the counters). */
  private long done() {
    long sum = 0;
    for (PartitionPosition p : positions) {
      sum += p.committed() + p.ackedAbove();
    }
    return sum;
  }

  private SubscriptionState with(long newAcked, long newDeadLettered, DeliveryCounters c) {
    return new SubscriptionState(
        settings, topic, topicId, createdAt, positions, newAcked, newDeadLettered,
        c == null ? counters : c);
  }

  private SubscriptionState withPositions(IntFunction<PartitionPosition> f) {
    List<PartitionPosition> next = new ArrayList<>(positions.size());
    for (int i = 0; i < positions.size(); i++) {
      next.add(f.apply(i));
    }
    return new SubscriptionState(
        settings, topic, topicId, createdAt, next, acked, deadLettered, counters);
  }
}
