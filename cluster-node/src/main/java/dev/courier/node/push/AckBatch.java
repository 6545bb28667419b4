package dev.courier.node.push;

import java.util.ArrayList;
import java.util.List;

/**
 * Acks of a push subscription on their way to its entity: at most one Ack command outstanding;
 * ids acknowledged meanwhile wait and go together in the next one, so a busy endpoint costs one
 * Ack per round trip rather than one per message.
 *
 * @param outstanding the ids of the Ack awaiting its reply; empty if none
 * @param waiting ids to send once the outstanding Ack is answered
 */
record AckBatch(List<String> outstanding, List<String> waiting) {

  static final AckBatch EMPTY = new AckBatch(List.of(), List.of());

  AckBatch {
    outstanding = List.copyOf(outstanding);
    waiting = List.copyOf(waiting);
  }

  AckBatch add(String ackId) {
    List<String> more = new ArrayList<>(waiting.size() + 1);
    more.addAll(waiting);
    more.add(ackId);
    return new AckBatch(outstanding, more);
  }

  /** True if an Ack should be sent now: none outstanding, something waiting. */
  boolean canSend() {
    return outstanding.isEmpty() && !waiting.isEmpty();
  }

  /** The waiting ids become the outstanding Ack. */
  AckBatch send() {
    return new AckBatch(waiting, List.of());
  }

  /** The outstanding Ack was answered. */
  AckBatch answered() {
    return new AckBatch(List.of(), waiting);
  }

  /** The outstanding Ack went unanswered: send its ids again with the next. */
  AckBatch unanswered() {
    List<String> again = new ArrayList<>(outstanding.size() + waiting.size());
    again.addAll(outstanding);
    again.addAll(waiting);
    return new AckBatch(List.of(), again);
  }
}
