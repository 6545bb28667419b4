package dev.courier.node.subscription;

import dev.courier.protocol.subscription.AttemptMark;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A subscription's durable position in one partition: everything below {@code committed} is done,
 * {@code acked} holds done offsets above it as ranges (see {@link OffsetRanges}), {@code reserved}
 * marks how far delivery may have gone (anything below it and not done is a redelivery after a
 * restart), and {@code attempts} holds the last attempt of messages being redelivered (offset to
 * attempt), dropped once the offset is done.
 */
public record PartitionPosition(
    long committed, long reserved, List<Long> acked, Map<Long, Integer> attempts) {

  public PartitionPosition {
    acked = acked == null ? List.of() : List.copyOf(acked);
    attempts = attempts == null ? Map.of() : Map.copyOf(attempts);
  }

  public static PartitionPosition at(long offset) {
    return new PartitionPosition(offset, offset, List.of(), Map.of());
  }

  public boolean isDone(long offset) {
    return offset < committed || OffsetRanges.contains(acked, offset);
  }

  /** The first offset from {@code offset} on that is not done ({@code offset} if it is not). */
  public long doneUntil(long offset) {
    if (offset < committed) {
      return committed;
    }
    return OffsetRanges.endOf(acked, offset);
  }

  /** The first done offset at or after {@code offset} ({@code Long.MAX_VALUE} if none). */
  public long nextDone(long offset) {
    return offset < committed ? offset : OffsetRanges.nextFrom(acked, offset);
  }

  /** How many offsets of {@code [from, until)} are done. */
  public long doneIn(long from, long until) {
    long below = Math.max(0, Math.min(until, committed) - from);
    return below + OffsetRanges.countIn(acked, Math.max(from, committed), until);
  }

  /** The attempt this offset was last sent with, as recorded; 0 if none is. */
  public int recordedAttempt(long offset) {
    return attempts.getOrDefault(offset, 0);
  }

  /** How many offsets above the commit point are done. */
  public long ackedAbove() {
    return OffsetRanges.count(acked);
  }

  public PartitionPosition commit(long position) {
    return normalise(Math.max(committed, position), reserved, acked, attempts);
  }

  public PartitionPosition ack(Collection<Long> offsets) {
    return normalise(committed, reserved, OffsetRanges.with(acked, offsets), attempts);
  }

  /** Adds acked ranges given flat as {@code [from0, until0, from1, until1, ...]}, in any order. */
  public PartitionPosition ackRanges(List<Long> bounds) {
    return normalise(committed, reserved, OffsetRanges.union(acked, bounds), attempts);
  }

  public PartitionPosition reserve(long mark) {
    return new PartitionPosition(committed, Math.max(reserved, mark), acked, attempts);
  }

  /**
   * Records the attempts offsets are being sent with (ignored once done), copying the recorded
   * attempts once rather than once per mark: a redelivery of many messages records one mark each.
   */
  public PartitionPosition attempts(List<AttemptMark> marks) {
    Map<Long, Integer> next = null;
    for (AttemptMark m : marks) {
      if (isDone(m.offset()) || attempts.getOrDefault(m.offset(), 0) >= m.attempt()
          || (next != null && next.getOrDefault(m.offset(), 0) >= m.attempt())) {
        continue;
      }
      if (next == null) {
        next = new TreeMap<>(attempts);
      }
      next.put(m.offset(), m.attempt());
    }
    return next == null ? this : new PartitionPosition(committed, reserved, acked, next);
  }

  /** A replay starts afresh: acks and recorded attempts are forgotten. */
  public PartitionPosition seek(long position) {
    return new PartitionPosition(position, Math.max(reserved, position), List.of(), Map.of());
  }

  /** Drops acks below the commit point and moves it over a range that now starts at it. */
  private static PartitionPosition normalise(
      long committed, long reserved, List<Long> acked, Map<Long, Integer> attempts) {
    List<Long> rest = OffsetRanges.from(acked, committed);
    if (!rest.isEmpty() && rest.get(0) == committed) {
      committed = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    Map<Long, Integer> open = attempts;
    if (!attempts.isEmpty()) {
      open = new TreeMap<>();
      for (Map.Entry<Long, Integer> e : attempts.entrySet()) {
        long offset = e.getKey();
        if (offset >= committed && !OffsetRanges.contains(rest, offset)) {
          open.put(offset, e.getValue());
        }
      }
    }
    return new PartitionPosition(committed, Math.max(reserved, committed), rest, open);
  }
}
