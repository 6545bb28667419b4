package dev.courier.node.subscription;

/** The timers the delivery core asks its shell to keep; each comes back as an input when due. */
sealed interface TimerKey {

  /** Lease deadlines, nack delays and long-poll waits are checked (periodic while needed). */
  record Tick() implements TimerKey {}

  /** Time to look at the subscription's lag and send lag notices that are due. */
  record LagCheck() implements TimerKey {}

  /** Gathered acks and dead letters are written. */
  record FlushAcks() implements TimerKey {}

  /** Cursor consumers' proven progress is committed (periodic). */
  record FlushCommits() implements TimerKey {}

  /** A long poll that holds some messages has waited long enough for more. */
  record PollFill() implements TimerKey {}

  /** The drain before a stop is over, acked or not. */
  record DrainOver() implements TimerKey {}

  /** A failed catch-up read of this partition may be tried again. */
  record RetryRead(int partition) implements TimerKey {}

  /** An aggregation's windows are closed by wall time (periodic). */
  record WindowClock() implements TimerKey {}

  /** A failed dead-letter write may be tried again. */
  record RetryDeadLetter(int partition, long offset, long leaseId) implements TimerKey {}
}
