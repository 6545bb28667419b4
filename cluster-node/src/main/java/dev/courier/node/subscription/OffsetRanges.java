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

  /** The end of the range holding {@code offset}; {@code offset} itself if none holds it. */
  static long endOf(List<Long> bounds, long offset) {
    int lo = 0;
    int hi = bounds.size() / 2 - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (offset < bounds.get(2 * mid)) {
        hi = mid - 1;
      } else if (offset >= bounds.get(2 * mid + 1)) {
        lo = mid + 1;
      } else {
        return bounds.get(2 * mid + 1);
      }
    }
    return offset;
  }

  /** The start of the first range at or after {@code offset}; {@code Long.MAX_VALUE} if none. */
  static long nextFrom(List<Long> bounds, long offset) {
    for (int i = 0; i < bounds.size(); i += 2) {
      if (bounds.get(i) >= offset) {
        return bounds.get(i);
      }
    }
    return Long.MAX_VALUE;
  }

  /** How many offsets of {@code [from, until)} the ranges hold. */
  static long countIn(List<Long> bounds, long from, long until) {
    long n = 0;
    for (int i = 0; i < bounds.size(); i += 2) {
      n += Math.max(0, Math.min(until, bounds.get(i + 1)) - Math.max(from, bounds.get(i)));
    }
    return n;
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
    // The new ranges are few: sort them, then merge with the (sorted) existing ones in one pass.
    int m = more.size() / 2;
    long[][] added = new long[m][];
    for (int i = 0; i < m; i++) {
      added[i] = new long[] {more.get(2 * i), more.get(2 * i + 1)};
    }
    java.util.Arrays.sort(added, (x, y) -> Long.compare(x[0], y[0]));
    long[] out = new long[bounds.size() + more.size()];
    int n = 0;
    int i = 0;
    int j = 0;
    int existing = bounds.size() / 2;
    while (i < existing || j < m) {
      long from;
      long until;
      if (j >= m || (i < existing && bounds.get(2 * i) <= added[j][0])) {
        from = bounds.get(2 * i);
        until = bounds.get(2 * i + 1);
        i++;
      } else {
        from = added[j][0];
        until = added[j][1];
        j++;
      }
      if (n > 0 && from <= out[n - 1]) {
        out[n - 1] = Math.max(out[n - 1], until);
      } else {
        out[n++] = from;
        out[n++] = until;
      }
    }
    Long[] boxed = new Long[n];
    for (int k = 0; k < n; k++) {
      boxed[k] = out[k];
    }
    return List.of(boxed);
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
