package dev.courier.node.push;

import dev.courier.node.subscription.SubscriptionEntity;
import dev.courier.persistence.PushRegistry;
import dev.courier.protocol.CborSerializable;
import dev.courier.protocol.subscription.SubscriptionCommand;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.ClusterEvent.MemberRemoved;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every push subscription running: one per cluster (a singleton), it lists the registered
 * push subscriptions every wake interval and sends each a Wake through sharding. So a push
 * subscription delivers with no client attached, is not passivated as idle, and comes back on
 * another node after a restart or failover.
 */
public final class PushKeeper {
  private static final Logger log = LoggerFactory.getLogger(PushKeeper.class);

  /** Messages the keeper handles (its own timer and lookups only). */
  public sealed interface Command {}

  private record Tick() implements Command {}

  /** Wake every push subscription now, not at the next tick. */
  public record WakeAll() implements Command {}

  /**
   * A member was removed: wake every push subscription now and again {@link #WAKES_AFTER_REMOVAL}
   * later. The removal reaches the keeper and the shard region in no set order, and a wake the
   * region still routes to the dead node is lost; without the later wakes a subscription of that
   * node waited for the next tick, 6 s after the kill (docs/failover.md).
   */
  public record MemberLeft() implements Command {}

  /** When, after a member's removal, every push subscription is woken again. */
  static final List<Duration> WAKES_AFTER_REMOVAL =
      List.of(Duration.ofMillis(500), Duration.ofMillis(2000));

  /**
   * A push subscription's incarnation stopped: wake that one after the stopped-wake delay, at
   * whatever node sharding gives it next.
   */
  public record WakeSoon(String name) implements Command, CborSerializable {}

  private record WakeOne(String name) implements Command {}

  private record Listed(List<String> names) implements Command {}

  private record ListFailed(Throwable error) implements Command {}

  public static final String SINGLETON_NAME = "push-keeper";

  private PushKeeper() {}

  /** Starts the keeper singleton on this node (or a proxy to it); call once per node. */
  public static ActorRef<Command> init(ActorSystem<?> system, PushRegistry registry) {
    PushConfig config = PushConfig.fromConfig(system.settings().config());
    ClusterSharding sharding = ClusterSharding.get(system);
    Behavior<Command> keeper =
        create(
            () -> registry.list().thenApply(l -> l.stream().map(PushRegistry.Entry::name).toList()),
            name -> sharding.entityRefFor(SubscriptionEntity.ENTITY_TYPE_KEY, name),
            config.wakeInterval(),
            config.stoppedWakeDelay());
    // A removed node's push subscriptions have no client to restart them: wake them all at once
    // (the wakes wait in the shard regions until their shards have a new home).
    Behavior<Command> watchingMembers =
        Behaviors.setup(
            ctx -> {
              Cluster.get(system)
                  .subscriptions()
                  .tell(
                      Subscribe.create(
                          ctx.messageAdapter(MemberRemoved.class, removed -> new MemberLeft()),
                          MemberRemoved.class));
              return keeper;
            });
    return ClusterSingleton.get(system)
        .init(
            SingletonActor.of(
                Behaviors.supervise(watchingMembers).onFailure(SupervisorStrategy.restart()),
                SINGLETON_NAME));
  }

  /**
   * The keeper's behaviour: wakes {@code subscriptions.apply(name)} for every name {@code names}
   * lists, at start and then every {@code interval}, one listing at a time; and one subscription
   * {@code stoppedWakeDelay} after it is said to have stopped ({@link WakeSoon}).
   */
  public static Behavior<Command> create(
      Supplier<CompletionStage<List<String>>> names,
      Function<String, RecipientRef<SubscriptionCommand>> subscriptions,
      Duration interval,
      Duration stoppedWakeDelay) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(new Tick(), Duration.ZERO, interval);
                  return new Lister(ctx, names, subscriptions, stoppedWakeDelay).idle(false);
                }));
  }

  /** The two states: idle until the next tick, listing until the registry answers. */
  private record Lister(
      ActorContext<Command> ctx,
      Supplier<CompletionStage<List<String>>> names,
      Function<String, RecipientRef<SubscriptionCommand>> subscriptions,
      Duration stoppedWakeDelay) {

    Behavior<Command> idle(boolean failing) {
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, tick -> list(failing))
          .onMessage(WakeAll.class, wake -> list(failing))
          .onMessage(MemberLeft.class, left -> list(wakeLater(failing)))
          .onMessage(WakeSoon.class, this::wakeSoon)
          .onMessage(WakeOne.class, this::wakeOne)
          .build();
    }

    /** Schedules the wakes that follow a removal; returns {@code failing}, unchanged. */
    private boolean wakeLater(boolean failing) {
      for (Duration delay : WAKES_AFTER_REMOVAL) {
        ctx.scheduleOnce(delay, ctx.getSelf(), new WakeAll());
      }
      return failing;
    }

    private Behavior<Command> wakeSoon(WakeSoon soon) {
      ctx.scheduleOnce(stoppedWakeDelay, ctx.getSelf(), new WakeOne(soon.name()));
      return Behaviors.same();
    }

    private Behavior<Command> wakeOne(WakeOne one) {
      subscriptions.apply(one.name()).tell(new SubscriptionCommand.Wake());
      return Behaviors.same();
    }

    private Behavior<Command> list(boolean failing) {
      ctx.pipeToSelf(
          names.get(), (list, error) -> error != null ? new ListFailed(error) : new Listed(list));
      return listing(failing, false);
    }

    /** {@code again}: a WakeAll came during this listing; list once more when it is done. */
    Behavior<Command> listing(boolean failing, boolean again) {
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, tick -> Behaviors.same())
          .onMessage(WakeAll.class, wake -> listing(failing, true))
          .onMessage(MemberLeft.class, left -> listing(wakeLater(failing), true))
          .onMessage(WakeSoon.class, this::wakeSoon)
          .onMessage(WakeOne.class, this::wakeOne)
          .onMessage(
              Listed.class,
              listed -> {
                if (failing) {
                  log.info("Push keeper lists push subscriptions again");
                }
                for (String name : listed.names()) {
                  subscriptions.apply(name).tell(new SubscriptionCommand.Wake());
                }
                return again ? list(false) : idle(false);
              })
          .onMessage(
              ListFailed.class,
              failed -> {
                if (!failing) {
                  log.warn(
                          "Push keeper cannot list push subscriptions (retrying every tick): {}",
                          failed.error().toString());
                }
                return again ? list(true) : idle(true);
              })
          .build();
    }
  }
}
