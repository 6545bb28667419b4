package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Offsets {@code [from, until)} of one partition: how acknowledgements are persisted, so a batch
 * of a thousand consecutive acks is one small record, not a thousand.
 */
public record OffsetSpan(int partition, long from, long until) implements CborSerializable {

  /** The fewest spans covering exactly these ids. */
  public static List<OffsetSpan> of(Collection<AckId> ids) {
    List<AckId> sorted = new ArrayList<>(ids);
    sorted.sort(Comparator.comparingInt(AckId::partition).thenComparingLong(AckId::offset));
    List<OffsetSpan> spans = new ArrayList<>();
    OffsetSpan open = null;
    for (AckId id : sorted) {
      if (open != null && open.partition == id.partition() && id.offset() <= open.until) {
        open = new OffsetSpan(open.partition, open.from, Math.max(open.until, id.offset() + 1));
      } else {
        if (open != null) {
          spans.add(open);
        }
        open = new OffsetSpan(id.partition(), id.offset(), id.offset() + 1);
      }
    }
    if (open != null) {
      spans.add(open);
    }
    return List.copyOf(spans);
  }

  /** The fewest spans covering exactly the union of these (in any order, overlapping or not). */
  public static List<OffsetSpan> merge(Collection<OffsetSpan> spans) {
    List<OffsetSpan> sorted = new ArrayList<>(spans);
    sorted.sort(Comparator.comparingInt(OffsetSpan::partition).thenComparingLong(OffsetSpan::from));
    List<OffsetSpan> out = new ArrayList<>();
    OffsetSpan open = null;
    for (OffsetSpan s : sorted) {
      if (s.until <= s.from) {
        continue;
      }
      if (open != null && open.partition == s.partition && s.from <= open.until) {
        open = new OffsetSpan(open.partition, open.from, Math.max(open.until, s.until));
      } else {
        if (open != null) {
          out.add(open);
        }
        open = s;
      }
    }
    if (open != null) {
      out.add(open);
    }
    return List.copyOf(out);
  }

  /** How many offsets these spans hold (they must not overlap). */
  public static long count(Collection<OffsetSpan> spans) {
    long n = 0;
    for (OffsetSpan s : spans) {
      n += s.until - s.from;
    }
    return n;
  }
}
