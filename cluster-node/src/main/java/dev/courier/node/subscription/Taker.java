package dev.courier.node.subscription;

/** Something a subscription hands messages to: an attached consumer or a waiting long poll. */
sealed interface Taker permits AttachedConsumer, WaitingPoll {

  /** How many more messages it can take now (before the subscription-wide bound). */
  int room();

  /** Whether what it takes is leased (and counts toward the subscription's maxInFlight). */
  boolean leases();
}
