package dev.courier.node.subscription;

/** Something a subscription hands messages to: an attached consumer or a waiting long poll. */
sealed interface Taker permits AttachedConsumer, WaitingPoll {

  /** How many more messages it can take now. */
  int room();
}
