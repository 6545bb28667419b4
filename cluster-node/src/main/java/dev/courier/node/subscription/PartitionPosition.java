package dev.courier.node.subscription;

import java.util.List;
import java.util.TreeSet;

/**
 * A subscription's durable position in one partition: everything below {@code committed} is done,
 * {@code acked} lists done offsets above it, and {@code reserved} marks how far delivery may have
 * gone (anything below it and not done is a redelivery after a restart).
 */
public record PartitionPosition(long committed, long reserved, List<Long> acked) {

  public PartitionPosition {
    acked = List.copyOf(acked);
  }

  public static PartitionPosition at(long offset) {
    return new PartitionPosition(offset, offset, List.of());
  }

  public boolean isDone(long offset) {
    return offset < committed || java.util.Collections.binarySearch(acked, offset) >= 0;
  }

  public PartitionPosition commit(long position) {
    return normalise(Math.max(committed, position), reserved, acked);
  }

  public PartitionPosition ack(long offset) {
    if (isDone(offset)) {
      return this;
    }
    TreeSet<Long> set = new TreeSet<>(acked);
    set.add(offset);
    return normalise(committed, reserved, List.copyOf(set));
  }

  public PartitionPosition reserve(long mark) {
    return new PartitionPosition(committed, Math.max(reserved, mark), acked);
  }

  public PartitionPosition seek(long position) {
    return new PartitionPosition(position, Math.max(reserved, position), List.of());
  }

  /** Drops acks below the commit point and moves it over acks that now adjoin it. */
  private static PartitionPosition normalise(long committed, long reserved, List<Long> acked) {
    TreeSet<Long> set = new TreeSet<>(acked.isEmpty() ? List.of() : acked);
    set.headSet(committed).clear();
    while (!set.isEmpty() && set.first() == committed) {
      set.pollFirst();
      committed++;
    }
    return new PartitionPosition(committed, Math.max(reserved, committed), List.copyOf(set));
  }
}
