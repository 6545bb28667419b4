package dev.courier.node.subscription;

import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionReply;
import java.time.Duration;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Makes a subscription entity's full stash visible to whoever sent the command it could not hold.
 * While an event-sourced entity recovers or persists it stashes commands, up to
 * {@code pekko.persistence.typed.stash-capacity}; past that Pekko drops the command and only
 * publishes it as {@link Dropped}. This listener answers a dropped command that awaits an answer
 * with {@link SubscriptionReply.Overloaded} (429 with Retry-After at the edge, a retry for a
 * WebSocket's acks), and sends any other (a consumer's credit, proof or detach, the entity's own
 * read results and notices) to the entity again after {@code resendDelay}, so that nothing is
 * lost and nobody waits forever.
 */
public final class StashOverflow {
  private StashOverflow() {}

  public static Behavior<Dropped> create(Duration resendDelay) {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().eventStream().tell(new EventStream.Subscribe<>(Dropped.class, ctx.getSelf()));
      return Behaviors.receiveMessage(dropped -> {
        SubscriptionCommand command = command(dropped.message());
        if (command == null || dropped.recipient() == null) {
          return Behaviors.same();
        }
        ActorRef<SubscriptionReply> replyTo = replyTo(command);
        if (replyTo != null) {
          replyTo.tell(new SubscriptionReply.Overloaded(
              "the subscription is busy (its stash of waiting commands is full); retry"));
        } else {
          var entity = dropped.recipient();
          ctx.getSystem().scheduler().scheduleOnce(resendDelay,
              () -> entity.tell(command, org.apache.pekko.actor.ActorRef.noSender()),
              ctx.getExecutionContext());
        }
        return Behaviors.same();
      });
    });
  }

  /**
   * The subscription command a dropped message carries: the command itself, or the event-sourced
   * behavior's envelope of one (a one-field product holding it).
   */
  static SubscriptionCommand command(Object message) {
    if (message instanceof SubscriptionCommand c) {
      return c;
    }
    if (message instanceof scala.Product p && p.productArity() == 1
        && p.productElement(0) instanceof SubscriptionCommand c) {
      return c;
    }
    return null;
  }

  /** Where a command's answer goes, or null if it has none. */
  static ActorRef<SubscriptionReply> replyTo(SubscriptionCommand command) {
    if (command instanceof SubscriptionCommand.Create c) {
      return c.replyTo();
    } else if (command instanceof SubscriptionCommand.ChangeSettings c) {
      return c.replyTo();
    } else if (command instanceof SubscriptionCommand.Get c) {
      return c.replyTo();
    } else if (command instanceof SubscriptionCommand.Delete c) {
      return c.replyTo();
    } else if (command instanceof SubscriptionCommand.Ack c) {
      return c.replyTo();
    } else if (command instanceof SubscriptionCommand.Nack c) {
      return c.replyTo();
    } else if (command instanceof SubscriptionCommand.Pull c) {
      return c.replyTo();
    } else if (command instanceof SubscriptionCommand.Seek c) {
      return c.replyTo();
    }
    return null;
  }
}
