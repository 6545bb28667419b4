package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What a subscription entity persists: the facts its delivery state is rebuilt from. */
public sealed interface SubscriptionEvent extends CborSerializable {

  /**
   * The subscription was created on this topic incarnation, starting at these positions. A keyed
   * snapshot subscription ({@code startAt: "snapshot"}) has {@code snapshotUntil} (per partition,
   * the head when it was created): below it only the newest message of each key is delivered;
   * empty for any other.
   */
  record Created(
      String name,
      SubscriptionSettings settings,
      String topic,
      UUID topicId,
      int partitions,
      List<Long> startPositions,
      List<Long> snapshotUntil,
      Instant at)
      implements SubscriptionEvent {
    public Created {
      startPositions = List.copyOf(startPositions);
      snapshotUntil = snapshotUntil == null ? List.of() : List.copyOf(snapshotUntil);
    }
  }

  /** The settings that can change after creation were changed (a PATCH): these are in force now. */
  record SettingsChanged(SubscriptionSettings settings) implements SubscriptionEvent {}

  /**
   * These offsets were passed over without delivery and are done: by the overflow policy
   * (drop-oldest, or conflation per key), of which there were {@code counted}, or by a keyed
   * snapshot (a key's older messages and keyless ones before its boundary), which are not counted.
   */
  record Skipped(List<OffsetSpan> spans, long counted, DeliveryCounters counters)
      implements SubscriptionEvent {
    public Skipped {
      spans = List.copyOf(spans);
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

  /**
   * An aggregation subscription accepted the topic's messages below {@code acceptedThrough} (per
   * partition) into its windows, whose state is now {@code window} (the query module's
   * WindowState as JSON), and closed windows whose rows are {@code rows}, appended to its row lane.
   * Written before the offsets it accepted are written as done, so a message is never accepted
   * twice nor lost.
   */
  record Aggregated(List<Long> acceptedThrough, String window, List<AggregateRow> rows)
      implements SubscriptionEvent {
    public Aggregated {
      acceptedThrough = List.copyOf(acceptedThrough);
      rows = List.copyOf(rows);
    }
  }

  /** The subscription was deleted; a later Created starts afresh. */
  record Deleted(Instant at) implements SubscriptionEvent {}
}
