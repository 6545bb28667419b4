package dev.courier.node.subscription;

import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionSettings;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;

/** Makes the webhook deliverer a push subscription runs as its child lease consumer. */
public interface PushLauncher {

  Behavior<?> deliverer(
      ActorRef<SubscriptionCommand> subscription, String name, SubscriptionSettings settings);

  /**
   * Called when a push subscription starts to stop for a shard hand-off: wakes it on whichever
   * node its shard moves to (through sharding, whose region holds the wake until the shard has its
   * new home), so it goes on delivering as soon as the hand-off is done instead of at the push
   * keeper's next wake.
   */
  default void wakeAfterHandOff(String name) {}

  /** For nodes and tests without push delivery. */
  PushLauncher NONE = (subscription, name, settings) -> null;
}
