package dev.courier.node.subscription;

import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionSettings;
import java.time.Instant;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;

/** Makes the webhook deliverer a push subscription runs as its child lease consumer. */
public interface PushLauncher {

  /** {@code createdAt} tells this subscription from an earlier one of the same name. */
  Behavior<?> deliverer(
      ActorRef<SubscriptionCommand> subscription,
      String name,
      Instant createdAt,
      SubscriptionSettings settings);

  /**
   * A push subscription's incarnation is stopping (a hand-off, a passivation or its node leaving):
   * have it woken shortly, so that it delivers again at its next home without waiting for the
   * keeper's periodic wake.
   */
  default void stopped(String name) {}

  /** For nodes and tests without push delivery. */
  PushLauncher NONE = (subscription, name, createdAt, settings) -> null;
}
