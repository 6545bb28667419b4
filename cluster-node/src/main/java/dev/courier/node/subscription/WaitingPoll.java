package dev.courier.node.subscription;

import dev.courier.protocol.subscription.DeliveryRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * A long-poll request waiting for messages until its deadline; once it holds some it may wait a
 * little longer ({@code fillBy}) for a running catch-up read to fill it up to {@code max}.
 * {@code R} is the reply handle; times are nanos as the core is told them.
 */
final class WaitingPoll<R> implements Taker {
  static final long NOT_SET = Long.MIN_VALUE;

  final R replyTo;
  final int max;
  final long deadline;
  final List<DeliveryRecord> taken = new ArrayList<>();
  long fillBy = NOT_SET;

  WaitingPoll(R replyTo, int max, long deadline) {
    this.replyTo = replyTo;
    this.max = max;
    this.deadline = deadline;
  }

  @Override
  public int room() {
    return max - taken.size();
  }

  @Override
  public boolean leases() {
    return true;
  }
}
