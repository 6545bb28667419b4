package dev.courier.node.push;

import dev.courier.node.subscription.PushLauncher;
import dev.courier.protocol.push.SecretSealer;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionSettings;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;

/**
 * A node's push launcher: runs a subscription's webhook deliverer, and has the push keeper wake a
 * push subscription again soon after its incarnation stops, so a hand-off does not leave it idle
 * until the keeper's next periodic wake.
 */
public final class WebhookLauncher implements PushLauncher {
  private final PushConfig config;
  private final SecretSealer sealer;
  private final AtomicReference<ActorRef<PushKeeper.Command>> keeper = new AtomicReference<>();

  public WebhookLauncher(PushConfig config, SecretSealer sealer) {
    this.config = config;
    this.sealer = sealer;
  }

  /** The keeper singleton's proxy, known once it is started (after the entities it wakes). */
  public void keeper(ActorRef<PushKeeper.Command> proxy) {
    keeper.set(proxy);
  }

  @Override
  public Behavior<?> deliverer(
      ActorRef<SubscriptionCommand> subscription,
      String name,
      Instant createdAt,
      SubscriptionSettings settings) {
    return PushDelivery.create(
        subscription, name, createdAt, settings.push(), settings.maxInFlight(), config, sealer);
  }

  @Override
  public void stopped(String name) {
    ActorRef<PushKeeper.Command> proxy = keeper.get();
    if (proxy != null) {
      proxy.tell(new PushKeeper.WakeSoon(name));
    }
  }
}
