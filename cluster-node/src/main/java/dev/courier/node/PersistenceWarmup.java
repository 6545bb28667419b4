package dev.courier.node;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Recovers one never-written persistence id when the node starts, so the journal and snapshot
 * plugins exist and their statements are prepared before the node takes over anything. Without
 * it the first subscription a node recovers after a failover pays ~1 s of plugin start-up.
 */
final class PersistenceWarmup extends EventSourcedBehavior<Object, Object, Object> {
  private final ActorContext<Object> ctx;
  private final CompletableFuture<Void> done;

  private PersistenceWarmup(ActorContext<Object> ctx, String nodeId, CompletableFuture<Void> done) {
    super(PersistenceId.of("CourierWarmup", nodeId));
    this.ctx = ctx;
    this.done = done;
  }

  /** Completes once a recovery has gone through the journal and snapshot store (or failed). */
  static CompletionStage<Void> run(ActorSystem<?> system, String nodeId, Duration timeout) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Behavior<Object> warmup = Behaviors.setup(ctx -> new PersistenceWarmup(ctx, nodeId, done));
    system.systemActorOf(warmup, "persistence-warmup-" + System.nanoTime(), Props.empty());
    return done.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public Object emptyState() {
    return "";
  }

  @Override
  public CommandHandler<Object, Object, Object> commandHandler() {
    return newCommandHandlerBuilder().forAnyState().onAnyCommand(c -> Effect().stop());
  }

  @Override
  public EventHandler<Object, Object> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state);
  }

  @Override
  public SignalHandler<Object> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              done.complete(null);
              ctx.getSelf().tell("stop");
            })
        .onSignal(
            RecoveryFailed.class, (state, failed) -> done.completeExceptionally(failed.getFailure()))
        .build();
  }

}
