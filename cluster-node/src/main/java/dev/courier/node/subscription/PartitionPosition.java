package dev.courier.node.subscription;

import java.util.Collection;
import java.util.List;

/**
 * A subscription's durable position in one partition: everything below {@code committed} is done,
 * {@code acked} holds done offsets above it as ranges (see {@link OffsetRanges}), and {@code
 * reserved} marks how far delivery may have gone (anything below it and not done is a redelivery
 * after a restart).
 */
public record PartitionPosition(long committed, long reserved, List<Long> acked) {

  public PartitionPosition {
    acked = acked == null ? List.of() : List.copyOf(acked);
  }

  public static PartitionPosition at(long offset) {
    return new PartitionPosition(offset, offset, List.of());
  }

  public boolean isDone(long offset) {
    return offset < committed || OffsetRanges.contains(acked, offset);
  }

  /** How many offsets above the commit point are done. */
  public long ackedAbove() {
    return OffsetRanges.count(acked);
  }

  public PartitionPosition commit(long position) {
    return normalise(Math.max(committed, position), reserved, acked);
  }

  public PartitionPosition ack(Collection<Long> offsets) {
    return normalise(committed, reserved, OffsetRanges.with(acked, offsets));
  }

  /** Adds acked ranges given flat as {@code [from0, until0, from1, until1, ...]}, in any order. */
  public PartitionPosition ackRanges(List<Long> bounds) {
    return normalise(committed, reserved, OffsetRanges.union(acked, bounds));
  }

  public PartitionPosition reserve(long mark) {
    return new PartitionPosition(committed, Math.max(reserved, mark), acked);
  }

  public PartitionPosition seek(long position) {
    return new PartitionPosition(position, Math.max(reserved, position), List.of());
  }

  /** Drops acks below the commit point and moves it over a range that now starts at it. */
  private static PartitionPosition normalise(long committed, long reserved, List<Long> acked) {
    List<Long> rest = OffsetRanges.from(acked, committed);
    if (!rest.isEmpty() && rest.get(0) == committed) {
      committed = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    return new PartitionPosition(committed, Math.max(reserved, committed), rest);
  }
}
