package dev.courier.node.subscription;

import dev.courier.protocol.subscription.DeliveryRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A long-poll request waiting for messages until its deadline; once it holds some it may wait a
 * little longer ({@code fillBy}) for a running catch-up read to fill it up to {@code max}.
 * It is full at {@code max} messages, or once what it holds reaches {@code maxBytes} (its answer
 * crosses nodes in one message, so it holds at most that plus one message).
 * {@code R} is the reply handle; times are nanos as the core is told them.
 */
final class WaitingPoll<R> implements Taker {
  static final long NOT_SET = Long.MIN_VALUE;

  final R replyTo;
  final int max;
  final long deadline;
  private final long maxBytes;
  private final List<DeliveryRecord> taken = new ArrayList<>();
  private long takenBytes;
  long fillBy = NOT_SET;

  WaitingPoll(R replyTo, int max, long maxBytes, long deadline) {
    this.replyTo = replyTo;
    this.max = max;
    this.maxBytes = maxBytes;
    this.deadline = deadline;
  }

  /** What the poll holds, in the order taken. */
  List<DeliveryRecord> taken() {
    return taken;
  }

  void take(DeliveryRecord record) {
    taken.add(record);
    takenBytes += record.wireSize();
  }

  /** Lets go of the deliveries {@code gone} says are no longer the poll's. */
  void forget(Predicate<DeliveryRecord> gone) {
    if (taken.removeIf(gone)) {
      takenBytes = 0;
      taken.forEach(r -> takenBytes += r.wireSize());
    }
  }

  @Override
  public int room() {
    return takenBytes >= maxBytes ? 0 : max - taken.size();
  }

  @Override
  public boolean leases() {
    return true;
  }
}
