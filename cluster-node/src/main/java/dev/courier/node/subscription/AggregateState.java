package dev.courier.node.subscription;

import dev.courier.protocol.subscription.AggregateRow;
import dev.courier.protocol.subscription.SubscriptionEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The persisted part of an aggregation subscription: its windows, how far it has accepted each
 * topic partition, and the rows of closed windows not yet done, so a restart or a move to
 * another node neither accepts a message twice nor loses or recomputes a row.
 *
 * @param window the query module's WindowState as JSON; null before the first message
 * @param acceptedThrough per topic partition, the offset below which every message is accepted
 * @param rows rows of closed windows at or above the row lane's commit point, by seq
 * @param nextRow the seq the next row gets
 */
public record AggregateState(
    String window, List<Long> acceptedThrough, List<AggregateRow> rows, long nextRow) {

  public AggregateState {
    acceptedThrough = List.copyOf(acceptedThrough);
    rows = List.copyOf(rows);
  }

  /** Nothing accepted yet, reading from these offsets. */
  static AggregateState start(List<Long> startPositions) {
    return new AggregateState(null, startPositions, List.of(), 0);
  }

  AggregateState aggregated(SubscriptionEvent.Aggregated a) {
    List<AggregateRow> next = new ArrayList<>(rows);
    long seq = nextRow;
    for (AggregateRow r : a.rows()) {
      next.add(r);
      seq = Math.max(seq, r.seq() + 1);
    }
    return new AggregateState(a.window(), a.acceptedThrough(), next, seq);
  }

  /** Without the rows below {@code committed}: done, never delivered again. */
  AggregateState prunedBelow(long committed) {
    if (rows.isEmpty() || rows.get(0).seq() >= committed) {
      return this;
    }
    return new AggregateState(
        window, acceptedThrough,
        rows.stream().filter(r -> r.seq() >= committed).toList(), nextRow);
  }

  /** The rows with seq in {@code [from, until)}. */
  List<AggregateRow> rows(long from, long until) {
    List<AggregateRow> out = new ArrayList<>();
    for (AggregateRow r : rows) {
      if (r.seq() >= from && r.seq() < until) {
        out.add(r);
      }
    }
    return out;
  }
}
