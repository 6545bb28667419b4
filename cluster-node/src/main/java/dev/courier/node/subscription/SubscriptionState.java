package dev.courier.node.subscription;

import dev.courier.protocol.CborSerializable;
import dev.courier.protocol.subscription.AckId;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What a subscription remembers across restarts and failover, rebuilt from its events: settings,
 * the topic incarnation it reads, and per-partition positions. {@code settings} is null until the
 * subscription is created (or after it is deleted).
 */
public record SubscriptionState(
    SubscriptionSettings settings,
    String topic,
    UUID topicId,
    Instant createdAt,
    List<PartitionPosition> positions,
    long acked)
    implements CborSerializable {

  public SubscriptionState {
    positions = List.copyOf(positions);
  }

  public static SubscriptionState empty() {
    return new SubscriptionState(null, null, null, null, List.of(), 0);
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
      return new SubscriptionState(c.settings(), c.topic(), c.topicId(), c.at(), start, 0);
    }
    if (event instanceof SubscriptionEvent.DeliveryReserved r) {
      return withPositions(i -> positions.get(i).reserve(r.marks().get(i)));
    }
    if (event instanceof SubscriptionEvent.Committed c) {
      long before = done();
      SubscriptionState next = withPositions(i -> positions.get(i).commit(c.positions().get(i)));
      return next.withAcked(acked + Math.max(0, next.done() - before));
    }
    if (event instanceof SubscriptionEvent.Acked a) {
      List<PartitionPosition> next = new ArrayList<>(positions);
      long count = 0;
      for (AckId id : a.ackIds()) {
        if (id.partition() < next.size()) {
          PartitionPosition before = next.get(id.partition());
          PartitionPosition after = before.ack(id.offset());
          if (after != before) {
            count++;
          }
          next.set(id.partition(), after);
        }
      }
      return new SubscriptionState(settings, topic, topicId, createdAt, next, acked + count);
    }
    if (event instanceof SubscriptionEvent.Seeked s) {
      return withPositions(i -> positions.get(i).seek(s.positions().get(i)));
    }
    if (event instanceof SubscriptionEvent.Deleted) {
      return empty();
    }
    throw new IllegalArgumentException("unknown event " + event);
  }

  /** Offsets done below the commit points plus acks above them (for the acked counter). */
  private long done() {
    long sum = 0;
    for (PartitionPosition p : positions) {
      sum += p.committed() + p.acked().size();
    }
    return sum;
  }

  private SubscriptionState withAcked(long newAcked) {
    return new SubscriptionState(settings, topic, topicId, createdAt, positions, newAcked);
  }

  private SubscriptionState withPositions(
      java.util.function.IntFunction<PartitionPosition> f) {
    List<PartitionPosition> next = new ArrayList<>(positions.size());
    for (int i = 0; i < positions.size(); i++) {
      next.add(f.apply(i));
    }
    return new SubscriptionState(settings, topic, topicId, createdAt, next, acked);
  }
}
