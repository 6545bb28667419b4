package dev.courier.edge.consumer;

import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.SubscriptionCommand;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * An edge consumer's tie to its subscription: the sharded address it attaches through, the
 * entity's actor once attached (watched, so its loss is noticed), and the keep-alive that stops an
 * entity with a live client from being passivated. Owned by one consumer actor.
 */
final class SubscriptionLink {
  private final ActorContext<?> ctx;
  private final RecipientRef<SubscriptionCommand> sharded;
  private final ActorRef<ConsumerMessage> self;
  private ActorRef<SubscriptionCommand> attachedTo;

  SubscriptionLink(
      ActorContext<?> ctx,
      RecipientRef<SubscriptionCommand> sharded,
      ActorRef<ConsumerMessage> self) {
    this.ctx = ctx;
    this.sharded = sharded;
    this.self = self;
  }

  /** The entity accepted the attachment: watch it from now on. */
  void attached(ActorRef<SubscriptionCommand> entity) {
    if (attachedTo != null) {
      ctx.unwatch(attachedTo);
    }
    attachedTo = entity;
    ctx.watch(entity);
  }

  /** A watched actor stopped; true if it was the entity (attach again later). */
  boolean lost(ActorRef<?> ref) {
    if (ref.equals(attachedTo)) {
      attachedTo = null;
      return true;
    }
    return false;
  }

  /** The entity if attached (direct), else its sharded address. */
  RecipientRef<SubscriptionCommand> target() {
    return attachedTo != null ? attachedTo : sharded;
  }

  /** Sends only to an attached entity (what an earlier incarnation owed is void). */
  void tellAttached(SubscriptionCommand command) {
    if (attachedTo != null) {
      attachedTo.tell(command);
    }
  }

  void attach(SubscriptionCommand.Attach attach) {
    sharded.tell(attach);
  }

  /** Through sharding, so the shard sees traffic and does not passivate the entity. */
  void keepAlive() {
    sharded.tell(new SubscriptionCommand.Demand(self, 0));
  }

  void detach() {
    tellAttached(new SubscriptionCommand.Detach(self));
  }
}
