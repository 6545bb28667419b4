package dev.courier.node.subscription;

import dev.courier.protocol.subscription.ConsumerMode;
import java.util.ArrayDeque;

/**
 * An attached consumer: a cursor consumer's credit and its deliveries not yet proven, or a lease
 * consumer's window and load, and the bytes it holds against the per-consumer byte cap. {@code C}
 * is the consumer handle.
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
  /**
   * Bytes it holds: a lease consumer's leases, a cursor consumer's deliveries sent and not yet
   * reported handed to its socket (each Demand reports the oldest ones, {@link #unhanded}).
   */
  long bytes;
  /** Cursor: the sizes of deliveries sent and not yet handed to its socket, in send order. */
  final ArrayDeque<Long> unhanded = new ArrayDeque<>();
  /** No delivery goes to it while it holds this many bytes or more. */
  private final long maxBytes;
  /** It was told the subscription lags, and not yet that it caught up. */
  boolean lagging;
  /** When (core nanos) it was last told the subscription lags. */
  long lastLagNotice;

  AttachedConsumer(C ref, ConsumerMode mode, String streamId, int credit, long maxBytes) {
    this.ref = ref;
    this.mode = mode;
    this.streamId = streamId;
    this.credit = credit;
    this.maxBytes = maxBytes;
  }

  /** A cursor delivery of {@code size} bytes was sent. */
  void sent(long size) {
    bytes += size;
    unhanded.add(size);
  }

  /** A cursor consumer handed its oldest {@code messages} deliveries to its socket. */
  void handed(int messages) {
    for (int i = 0; i < messages && !unhanded.isEmpty(); i++) {
      bytes -= unhanded.poll();
    }
  }

  /** Forgets every byte it held (a seek takes a lease consumer's leases back). */
  void clearBytes() {
    bytes = 0;
    unhanded.clear();
  }

  @Override
  public boolean leases() {
    return mode == ConsumerMode.LEASE;
  }

  @Override
  public int room() {
    if (bytes >= maxBytes) {
      return 0;
    }
    return leases() ? credit - outstanding : credit;
  }
}
