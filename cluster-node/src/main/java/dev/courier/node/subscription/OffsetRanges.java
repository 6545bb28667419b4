package dev.courier.node.subscription;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Sorted, disjoint, non-adjacent half-open offset ranges kept flat as {@code [from0, until0, from1,
 * until1, ...]}: acknowledged offsets above a commit point. Runs of acks cost two numbers however
 * long they are, so state and snapshots stay small while a few messages are held out of order.
 */
final class OffsetRanges {
  private OffsetRanges() {}

  static boolean contains(List<Long> bounds, long offset) {
    int lo = 0;
    int hi = bounds.size() / 2 - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (offset < bounds.get(2 * mid)) {
        hi = mid - 1;
      } else if (offset >= bounds.get(2 * mid + 1)) {
        lo = mid + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  /** The ranges with {@code offsets} added. */
  static List<Long> with(List<Long> bounds, Collection<Long> offsets) {
    TreeSet<Long> added = new TreeSet<>(offsets);
    List<Long> single = new ArrayList<>(added.size() * 2);
    for (long o : added) {
      single.add(o);
      single.add(o + 1);
    }
    return union(bounds, single);
  }

  /** Both sets of ranges together; {@code more} may be in any order and overlap. */
  static List<Long> union(List<Long> bounds, List<Long> more) {
    if (more.isEmpty()) {
      return bounds;
    }
    List<long[]> ranges = new ArrayList<>((bounds.size() + more.size()) / 2);
    for (int i = 0; i < bounds.size(); i += 2) {
      ranges.add(new long[] {bounds.get(i), bounds.get(i + 1)});
    }
    for (int i = 0; i < more.size(); i += 2) {
      ranges.add(new long[] {more.get(i), more.get(i + 1)});
    }
    ranges.sort((a, b) -> Long.compare(a[0], b[0]));
    List<Long> out = new ArrayList<>(ranges.size() * 2);
    long from = ranges.get(0)[0];
    long until = ranges.get(0)[1];
    for (int i = 1; i < ranges.size(); i++) {
      long[] r = ranges.get(i);
      if (r[0] <= until) {
        until = Math.max(until, r[1]);
      } else {
        out.add(from);
        out.add(until);
        from = r[0];
        until = r[1];
      }
    }
    out.add(from);
    out.add(until);
    return List.copyOf(out);
  }

  /** The ranges with everything below {@code offset} removed. */
  static List<Long> from(List<Long> bounds, long offset) {
    List<Long> out = new ArrayList<>(bounds.size());
    for (int i = 0; i < bounds.size(); i += 2) {
      long until = bounds.get(i + 1);
      if (until > offset) {
        out.add(Math.max(bounds.get(i), offset));
        out.add(until);
      }
    }
    return out.size() == bounds.size() ? bounds : List.copyOf(out);
  }

  /** How many offsets the ranges hold. */
  static long count(List<Long> bounds) {
    long n = 0;
    for (int i = 0; i < bounds.size(); i += 2) {
      n += bounds.get(i + 1) - bounds.get(i);
    }
    return n;
  }
}
