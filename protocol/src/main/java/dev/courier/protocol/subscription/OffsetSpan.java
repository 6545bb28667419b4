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
}
