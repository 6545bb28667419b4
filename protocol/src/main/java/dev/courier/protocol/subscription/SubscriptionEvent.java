package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What a subscription entity persists: the facts its delivery state is rebuilt from. */
public sealed interface SubscriptionEvent extends CborSerializable {

  /** The subscription was created on this topic incarnation, starting at these positions. */
  record Created(
      String name,
      SubscriptionSettings settings,
      String topic,
      UUID topicId,
      int partitions,
      List<Long> startPositions,
      Instant at)
      implements SubscriptionEvent {
    public Created {
      startPositions = List.copyOf(startPositions);
    }
  }

  /**
   * Delivery reached these marks (per partition, the offset after the last message that may have
   * been sent): anything below a mark and not acked is redelivered with deliveryAttempt above 1.
   * Persisted before the messages are sent, in chunks, so it costs one write per many messages.
   */
  record DeliveryReserved(List<Long> marks) implements SubscriptionEvent {
    public DeliveryReserved {
      marks = List.copyOf(marks);
    }
  }

  /**
   * Everything below these positions (per partition) is done: the cursor consumers' commit.
   * {@code counters} are the delivery totals when it was written.
   */
  record Committed(List<Long> positions, DeliveryCounters counters) implements SubscriptionEvent {
    public Committed {
      positions = List.copyOf(positions);
    }
  }

  /**
   * These offsets, above the committed positions, were acknowledged (by a client, or by being
   * written to a cursor consumer). {@code counters} are the delivery totals when it was written.
   */
  record Acked(List<OffsetSpan> spans, DeliveryCounters counters) implements SubscriptionEvent {
    public Acked {
      spans = List.copyOf(spans);
    }
  }

  /**
   * These offsets ran out of delivery attempts: they were written to the dead-letter topic (if
   * there is one) and are done.
   */
  record DeadLettered(List<OffsetSpan> spans, DeliveryCounters counters)
      implements SubscriptionEvent {
    public DeadLettered {
      spans = List.copyOf(spans);
    }
  }

  /**
   * These messages are about to be sent again with these attempts: persisted before they go out,
   * one event per delivery round that holds redeliveries, so a restarted subscription goes on
   * counting (the next attempt is the recorded one plus one). Forgotten once an offset is done.
   */
  record AttemptsRecorded(List<AttemptMark> marks) implements SubscriptionEvent {
    public AttemptsRecorded {
      marks = List.copyOf(marks);
    }
  }

  /** The subscription was moved to these positions: everything from them on is delivered again. */
  record Seeked(List<Long> positions) implements SubscriptionEvent {
    public Seeked {
      positions = List.copyOf(positions);
    }
  }

  /** The subscription was deleted; a later Created starts afresh. */
  record Deleted(Instant at) implements SubscriptionEvent {}
}
