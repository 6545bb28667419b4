package dev.courier.node.subscription;

import dev.courier.protocol.subscription.ConsumerMode;
import java.util.ArrayDeque;

/**
 * An attached consumer: a cursor consumer's credit and its deliveries not yet proven, or a lease
 * consumer's window and load. {@code C} is the consumer handle.
 */
final class AttachedConsumer<C> implements Taker {
  final C ref;
  final ConsumerMode mode;
  final String streamId;
  /** Cursor: messages it can take now. Lease: its window. */
  int credit;
  /** Lease: messages it holds unacknowledged. */
  int outstanding;
  /**
   * Cursor: deliveries written to the stream and not yet proven to have reached a live client, in
   * send order. Each keeps its whole message so it can be given back if the stream turns out dead:
   * memory of up to one proof delay of the stream's traffic (the edge proves within seconds).
   */
  final ArrayDeque<Candidate> unproven = new ArrayDeque<>();
  /** It was told the subscription lags, and not yet that it caught up. */
  boolean lagging;
  /** When (core nanos) it was last told the subscription lags. */
  long lastLagNotice;

  AttachedConsumer(C ref, ConsumerMode mode, String streamId, int credit) {
    this.ref = ref;
    this.mode = mode;
    this.streamId = streamId;
    this.credit = credit;
  }

  @Override
  public boolean leases() {
    return mode == ConsumerMode.LEASE;
  }

  @Override
  public int room() {
    return leases() ? credit - outstanding : credit;
  }
}
