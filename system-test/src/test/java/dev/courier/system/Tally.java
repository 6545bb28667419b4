package dev.courier.system;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * What one subscription received: each message id with how often and at which log positions it
 * came, and when every delivery arrived, so a test can tell losses, repeats, messages stored twice
 * and how long each kill interrupted delivery.
 */
final class Tally {
  /** One delivery that repeated a message already received, and when. */
  record Repeat(String id, long atNanos) {}

  final String name;
  private final Map<String, Integer> seen = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> positions = new ConcurrentHashMap<>();
  private final List<Long> arrivals = new ArrayList<>();
  private final List<Repeat> repeats = new ArrayList<>();

  Tally(String name) {
    this.name = name;
  }

  /** Records a delivery; true if it is the first of this id. */
  boolean record(String id, int partition, long offset) {
    long now = System.nanoTime();
    positions.computeIfAbsent(id, k -> ConcurrentHashMap.newKeySet()).add(partition + ":" + offset);
    boolean first = seen.merge(id, 1, Integer::sum) == 1;
    synchronized (this) {
      arrivals.add(now);
      if (!first) {
        repeats.add(new Repeat(id, now));
      }
    }
    return first;
  }

  int distinct() {
    return seen.size();
  }

  boolean hasAll(Set<String> ids) {
    return seen.keySet().containsAll(ids);
  }

  long countMissing(Set<String> ids) {
    return ids.stream().filter(id -> !seen.containsKey(id)).count();
  }

  List<String> missing(Set<String> ids) {
    return ids.stream().filter(id -> !seen.containsKey(id)).limit(10).toList();
  }

  /** Ids that were delivered from two different log positions: stored twice (a G2 breach). */
  List<String> storedTwice() {
    return positions.entrySet().stream().filter(e -> e.getValue().size() > 1)
        .map(e -> e.getKey() + "@" + e.getValue()).limit(10).toList();
  }

  /** Log positions from which two different ids were delivered: an offset written twice. */
  List<String> positionsWrittenTwice() {
    Map<String, Set<String>> idsAt = new java.util.HashMap<>();
    positions.forEach((id, at) -> at.forEach(
        position -> idsAt.computeIfAbsent(position, k -> new java.util.HashSet<>()).add(id)));
    return idsAt.entrySet().stream().filter(e -> e.getValue().size() > 1)
        .map(e -> e.getKey() + "=" + e.getValue()).limit(10).toList();
  }

  synchronized int repeats() {
    return repeats.size();
  }

  synchronized long repeatsBetween(long fromNanos, long toNanos) {
    return repeats.stream().filter(r -> r.atNanos() >= fromNanos && r.atNanos() < toNanos).count();
  }

  /** The first delivery that arrived after {@code nanos}; -1 if none did. */
  synchronized long firstArrivalAfter(long nanos) {
    return arrivals.stream().filter(a -> a > nanos).findFirst().orElse(-1L);
  }

  synchronized long lastArrival() {
    return arrivals.isEmpty() ? 0 : arrivals.get(arrivals.size() - 1);
  }

  /** The longest pause between deliveries that ended within [fromNanos, untilNanos), in ms. */
  synchronized long longestPauseMillis(long fromNanos, long untilNanos) {
    long longest = 0;
    for (int i = 1; i < arrivals.size(); i++) {
      long after = arrivals.get(i);
      if (after > fromNanos && after < untilNanos) {
        longest = Math.max(longest, after - Math.max(arrivals.get(i - 1), fromNanos));
      }
    }
    return TimeUnit.NANOSECONDS.toMillis(longest);
  }

  /**
   * Milliseconds from {@code killNanos} to the first delivery after the longest pause that ended
   * after the kill (and before {@code untilNanos}); -1 if delivery never paused for a second or
   * more, i.e. the kill did not interrupt this subscription.
   */
  synchronized long resumeMillis(long killNanos, long untilNanos) {
    long longest = 0;
    long resumedAt = -1;
    for (int i = 1; i < arrivals.size(); i++) {
      long before = arrivals.get(i - 1);
      long after = arrivals.get(i);
      if (after <= killNanos || after >= untilNanos) {
        continue;
      }
      long gap = after - Math.max(before, killNanos);
      if (gap > longest) {
        longest = gap;
        resumedAt = after;
      }
    }
    return longest >= TimeUnit.SECONDS.toNanos(1)
        ? TimeUnit.NANOSECONDS.toMillis(resumedAt - killNanos)
        : -1;
  }
}
