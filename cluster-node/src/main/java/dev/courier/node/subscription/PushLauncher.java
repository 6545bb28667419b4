package dev.courier.node.subscription;

import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionSettings;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;

/** Makes the webhook deliverer a push subscription runs as its child lease consumer. */
public interface PushLauncher {

  Behavior<?> deliverer(
      ActorRef<SubscriptionCommand> subscription, String name, SubscriptionSettings settings);

  /** For nodes and tests without push delivery. */
  PushLauncher NONE = (subscription, name, settings) -> null;
}
