package dev.courier.node.subscription;

import dev.courier.protocol.subscription.AttemptMark;
import dev.courier.protocol.subscription.DeliveryCounters;
import dev.courier.protocol.subscription.OffsetSpan;
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
 * An existing subscription as it survives restarts and failover, rebuilt from its events:
 * settings, the topic incarnation it reads, per-partition positions, a keyed snapshot's boundary
 * ({@code snapshotUntil}, empty unless it started at a snapshot) and running totals ({@code
 * skipped}: what the overflow policy passed over). Each event has its own pure method returning
 * the next state.
 */
public record ActiveSubscription(
    SubscriptionSettings settings,
    String topic,
    UUID topicId,
    Instant createdAt,
    List<PartitionPosition> positions,
    List<Long> snapshotUntil,
    long acked,
    long deadLettered,
    long skipped,
    DeliveryCounters counters,
    AggregateState aggregation)
    implements SubscriptionState {

  public ActiveSubscription {
    positions = List.copyOf(positions);
    snapshotUntil = snapshotUntil == null ? List.of() : List.copyOf(snapshotUntil);
    counters = counters == null ? DeliveryCounters.ZERO : counters;
    if (aggregation != null) {
      aggregation = aggregation.prunedBelow(positions.get(positions.size() - 1).committed());
    }
  }

  /** A subscription without an aggregation query. */
  public ActiveSubscription(
      SubscriptionSettings settings, String topic, UUID topicId, Instant createdAt,
      List<PartitionPosition> positions, List<Long> snapshotUntil, long acked, long deadLettered,
      long skipped, DeliveryCounters counters) {
    this(settings, topic, topicId, createdAt, positions, snapshotUntil, acked, deadLettered,
        skipped, counters, null);
  }

  /** Below this offset of the partition only each key's newest message is delivered. */
  public long snapshotUntil(int partition) {
    return partition < snapshotUntil.size() ? snapshotUntil.get(partition) : 0;
  }

  /**
   * The topic's partitions. An aggregation subscription has one position more, last: its row
   * lane, whose offsets are the seqs of its result rows.
   */
  public int partitions() {
    return aggregation == null ? positions.size() : positions.size() - 1;
  }

  public ActiveSubscription aggregated(SubscriptionEvent.Aggregated a) {
    return new ActiveSubscription(
        settings, topic, topicId, createdAt, positions, snapshotUntil, acked, deadLettered,
        skipped, counters, aggregation.aggregated(a));
  }

  public PartitionPosition position(int partition) {
    return positions.get(partition);
  }

  /** Any event of an active subscription (for the delivery core, which keeps its own copy). */
  ActiveSubscription apply(SubscriptionEvent event) {
    if (event instanceof SubscriptionEvent.DeliveryReserved r) {
      return reserved(r);
    } else if (event instanceof SubscriptionEvent.Committed c) {
      return committed(c);
    } else if (event instanceof SubscriptionEvent.Acked a) {
      return acked(a);
    } else if (event instanceof SubscriptionEvent.DeadLettered d) {
      return deadLettered(d);
    } else if (event instanceof SubscriptionEvent.Seeked s) {
      return seeked(s);
    } else if (event instanceof SubscriptionEvent.AttemptsRecorded a) {
      return attemptsRecorded(a);
    } else if (event instanceof SubscriptionEvent.Skipped k) {
      return skipped(k);
    } else if (event instanceof SubscriptionEvent.SettingsChanged c) {
      return settingsChanged(c);
    } else if (event instanceof SubscriptionEvent.Aggregated a) {
      return aggregated(a);
    }
    throw new IllegalArgumentException("not an event of an active subscription: " + event);
  }

  public ActiveSubscription reserved(SubscriptionEvent.DeliveryReserved r) {
    return withPositions(i -> positions.get(i).reserve(r.marks().get(i)));
  }

  public ActiveSubscription committed(SubscriptionEvent.Committed c) {
    long before = done();
    ActiveSubscription next = withPositions(i -> positions.get(i).commit(c.positions().get(i)));
    return next.with(acked + Math.max(0, next.done() - before), deadLettered, c.counters());
  }

  public ActiveSubscription acked(SubscriptionEvent.Acked a) {
    ActiveSubscription next = withAcks(a.spans());
    return next.with(acked + (next.done() - done()), deadLettered, a.counters());
  }

  public ActiveSubscription deadLettered(SubscriptionEvent.DeadLettered d) {
    ActiveSubscription next = withAcks(d.spans());
    return next.with(acked, deadLettered + (next.done() - done()), d.counters());
  }

  public ActiveSubscription skipped(SubscriptionEvent.Skipped k) {
    ActiveSubscription next = withAcks(k.spans());
    return new ActiveSubscription(
        settings, topic, topicId, createdAt, next.positions, snapshotUntil, acked, deadLettered,
        skipped + k.counted(), k.counters() == null ? counters : k.counters(), aggregation);
  }

  public ActiveSubscription settingsChanged(SubscriptionEvent.SettingsChanged c) {
    return new ActiveSubscription(
        c.settings(), topic, topicId, createdAt, positions, snapshotUntil, acked, deadLettered,
        skipped, counters, aggregation);
  }

  public ActiveSubscription seeked(SubscriptionEvent.Seeked s) {
    return withPositions(i -> positions.get(i).seek(s.positions().get(i)));
  }

  public ActiveSubscription attemptsRecorded(SubscriptionEvent.AttemptsRecorded a) {
    Map<Integer, List<AttemptMark>> byPartition = new HashMap<>();
    for (AttemptMark m : a.marks()) {
      if (m.partition() < positions.size()) {
        byPartition.computeIfAbsent(m.partition(), p -> new ArrayList<>()).add(m);
      }
    }
    return withPositions(
        i -> positions.get(i).attempts(byPartition.getOrDefault(i, List.of())));
  }

  public NoSubscription deleted(SubscriptionEvent.Deleted d) {
    return new NoSubscription();
  }

  private ActiveSubscription withAcks(List<OffsetSpan> spans) {
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

  private ActiveSubscription with(long newAcked, long newDeadLettered, DeliveryCounters c) {
    return new ActiveSubscription(
        settings, topic, topicId, createdAt, positions, snapshotUntil, newAcked, newDeadLettered,
        skipped, c == null ? counters : c, aggregation);
  }

  private ActiveSubscription withPositions(IntFunction<PartitionPosition> f) {
    List<PartitionPosition> next = new ArrayList<>(positions.size());
    for (int i = 0; i < positions.size(); i++) {
      next.add(f.apply(i));
    }
    return new ActiveSubscription(
        settings, topic, topicId, createdAt, next, snapshotUntil, acked, deadLettered, skipped,
        counters, aggregation);
  }
}
