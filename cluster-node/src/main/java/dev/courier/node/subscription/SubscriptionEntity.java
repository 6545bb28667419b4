package dev.courier.node.subscription;

import dev.courier.node.metrics.CourierMetrics;
import dev.courier.node.metrics.DeliveryProtocol;
import dev.courier.node.topic.TopicPartitionEntity;
import dev.courier.persistence.LatestReader;
import dev.courier.persistence.LogEntry;
import dev.courier.persistence.SubscriptionNames;
import dev.courier.persistence.TopicLogReader;
import dev.courier.protocol.LogMdc;
import dev.courier.protocol.subscription.AckIdKey;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.subscription.SubscriptionView;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.topic.PartitionNotice;
import dev.courier.protocol.topic.StoredMessage;
import dev.courier.protocol.topic.TopicPartitionCommand;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One subscription as a cluster-sharded, event-sourced actor: the shell around its {@link
 * DeliveryCore}. It persists the subscription's life (created, deleted) and carries out the core's
 * steps: persists their events, then sends, replies, starts catch-up reads and dead-letter
 * writes, keeps the timers, watches consumers and topic partitions, and runs a push subscription's
 * webhook deliverer as a child. Every delivery decision is the core's.
 */
public final class SubscriptionEntity
    extends EventSourcedBehavior<SubscriptionCommand, SubscriptionEvent, SubscriptionState> {

  public static final EntityTypeKey<SubscriptionCommand> ENTITY_TYPE_KEY =
      EntityTypeKey.create(SubscriptionCommand.class, "Subscription");

  /** Finds the actor of a topic partition (through sharding, on a node). */
  public interface PartitionDirectory {
    RecipientRef<TopicPartitionCommand> partition(UUID topicId, int partition);

    static PartitionDirectory sharded(ActorSystem<?> system) {
      ClusterSharding sharding = ClusterSharding.get(system);
      return (topicId, partition) ->
          sharding.entityRefFor(
              TopicPartitionEntity.ENTITY_TYPE_KEY,
              TopicPartitionEntity.entityId(topicId, partition));
    }
  }

  /** Everything a subscription entity needs from its node. */
  public record Dependencies(
      TopicLogReader log,
      LatestReader latest,
      SubscriptionNames registry,
      PartitionDirectory partitions,
      SubscriptionNames pushRegistry,
      DeadLetters deadLetters,
      PushLauncher push,
      DeliverySettings settings,
      AckIdKey ackIds) {}

  public static void init(ActorSystem<?> system, Dependencies deps) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), deps))
                .withStopMessage(new Passivate()));
  }

  public static Behavior<SubscriptionCommand> create(String name, Dependencies deps) {
    return LogMdc.with(
        SubscriptionCommand.class,
        Behaviors.setup(
            ctx -> Behaviors.withTimers(timers -> new SubscriptionEntity(name, ctx, timers, deps))),
        "subscription", name);
  }

  // ---- internal commands ----

  /**
   * Sharding's passivation or hand-off: stop handing out messages, give outstanding leases a
   * bounded time to be acked, persist what is pending, then stop.
   */
  public record Passivate() implements SubscriptionCommand {}

  private record Notice(PartitionNotice notice) implements SubscriptionCommand {}

  private record Loaded(
      int partition,
      int generation,
      long from,
      long until,
      List<LogEntry> rows,
      Map<String, Long> newest)
      implements SubscriptionCommand {}

  private record LoadFailed(int partition, int generation, Throwable cause)
      implements SubscriptionCommand {}

  private record PartitionGone(int partition) implements SubscriptionCommand {}

  private record Rewatch(int partition) implements SubscriptionCommand {}

  private record CheckHeads() implements SubscriptionCommand {}

  private record ConsumerGone(ActorRef<ConsumerMessage> consumer) implements SubscriptionCommand {}

  /** A timer the delivery core asked for is due. */
  private record TimerDue(TimerKey key) implements SubscriptionCommand {}

  private record DeadLetterWritten(int partition, long offset, long leaseId, Throwable error)
      implements SubscriptionCommand {}

  /** The webhook deliverer stopped (it failed, or the subscription was deleted). */
  private record PushStopped() implements SubscriptionCommand {}

  /** The registry write of a create or delete finished: now answer the request. */
  private record RegistryWritten(SubscriptionReply reply, ActorRef<SubscriptionReply> replyTo)
      implements SubscriptionCommand {}

  /** A recovery at least this slow is logged at INFO (faster ones at DEBUG). */
  private static final long SLOW_START_MILLIS = 500;

  private final String name;
  private final ActorContext<SubscriptionCommand> ctx;
  private final TimerScheduler<SubscriptionCommand> timers;
  private final Dependencies deps;
  private final ActorRef<PartitionNotice> noticeAdapter;
  /** When this incarnation was made ({@link System#nanoTime()}): its recovery's start. */
  private final long createdNanos = System.nanoTime();
  /** When ({@link System#nanoTime()}) each partition last sent a notice. */
  private final Map<Integer, Long> lastHeard = new HashMap<>();

  /** Partitions watched and not answered yet (a repeated watch of one is logged). */
  private final Set<Integer> unansweredWatches = new HashSet<>();

  /** The topic partitions' actors, once they have answered a watch. */
  private final Map<Integer, ActorRef<TopicPartitionCommand>> partitionRefs = new HashMap<>();
  /** The delivery core while the subscription exists in this incarnation; null otherwise. */
  private DeliveryCore<ActorRef<ConsumerMessage>, ActorRef<SubscriptionReply>> core;
  private ActorRef<?> pushDeliverer;
  private int pushIncarnation;
  /** Reports to the node's metrics while the subscription exists here; null otherwise. */
  private HostedMeters<ActorRef<ConsumerMessage>> meters;

  private SubscriptionEntity(
      String name,
      ActorContext<SubscriptionCommand> ctx,
      TimerScheduler<SubscriptionCommand> timers,
      Dependencies deps) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), name));
    this.name = name;
    this.ctx = ctx;
    this.timers = timers;
    this.deps = deps;
    this.noticeAdapter = ctx.messageAdapter(PartitionNotice.class, Notice::new);
  }

  @Override
  public SubscriptionState emptyState() {
    return new NoSubscription();
  }

  /**
   * A snapshot every {@code snapshot-every} events, the two newest kept, and the journal's events
   * older than the older of them deleted: a long-lived subscription's journal stays bounded.
   */
  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(deps.settings().snapshotEvery(), 2)
        .withDeleteEventsOnSnapshot();
  }

  // ---- events ----

  @Override
  public EventHandler<SubscriptionState, SubscriptionEvent> eventHandler() {
    EventHandlerBuilder<SubscriptionState, SubscriptionEvent> builder = newEventHandlerBuilder();
    builder
        .forStateType(NoSubscription.class)
        .onEvent(SubscriptionEvent.Created.class, (s, e) -> s.created(e));
    builder
        .forStateType(ActiveSubscription.class)
        .onEvent(SubscriptionEvent.DeliveryReserved.class, (s, e) -> s.reserved(e))
        .onEvent(SubscriptionEvent.Committed.class, (s, e) -> s.committed(e))
        .onEvent(SubscriptionEvent.Acked.class, (s, e) -> s.acked(e))
        .onEvent(SubscriptionEvent.DeadLettered.class, (s, e) -> s.deadLettered(e))
        .onEvent(SubscriptionEvent.Seeked.class, (s, e) -> s.seeked(e))
        .onEvent(SubscriptionEvent.AttemptsRecorded.class, (s, e) -> s.attemptsRecorded(e))
        .onEvent(SubscriptionEvent.Skipped.class, (s, e) -> s.skipped(e))
        .onEvent(SubscriptionEvent.SettingsChanged.class, (s, e) -> s.settingsChanged(e))
        .onEvent(SubscriptionEvent.Aggregated.class, (s, e) -> s.aggregated(e))
        .onEvent(SubscriptionEvent.Deleted.class, (s, e) -> s.deleted(e));
    return builder.build();
  }

  @Override
  public SignalHandler<SubscriptionState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (state instanceof ActiveSubscription active) {
                long millis = (System.nanoTime() - createdNanos) / 1_000_000;
                // A slow start is a failover's or a rebalance's cost: nothing is delivered before.
                if (millis >= SLOW_START_MILLIS) {
                  ctx.getLog().info("Subscription {} started at {} after {} ms of recovery", name,
                      active.positions(), millis);
                } else {
                  ctx.getLog().debug("Subscription {} started at {}", name, active.positions());
                }
                startCore(active);
                // Covers a crash between persisting Created and registering the name.
                deps.registry().register(name, active.topic(), active.createdAt());
                if (active.settings().hasPush()) {
                  deps.pushRegistry().register(name, active.topic(), active.createdAt());
                }
              }
            })
        .onSignal(PostStop.instance(), state -> closeMeters())
        .build();
  }

  // ---- commands, per phase ----

  @Override
  public CommandHandler<SubscriptionCommand, SubscriptionEvent, SubscriptionState>
      commandHandler() {
    CommandHandlerBuilder<SubscriptionCommand, SubscriptionEvent, SubscriptionState> builder =
        newCommandHandlerBuilder();
    builder
        .forStateType(NoSubscription.class)
        .onCommand(SubscriptionCommand.Create.class, this::onCreate)
        .onCommand(SubscriptionCommand.Get.class, (s, c) -> notFound(c.replyTo()))
        .onCommand(SubscriptionCommand.Delete.class, (s, c) -> notFound(c.replyTo()))
        .onCommand(SubscriptionCommand.Ack.class, (s, c) -> notFound(c.replyTo()))
        .onCommand(SubscriptionCommand.Nack.class, (s, c) -> notFound(c.replyTo()))
        .onCommand(SubscriptionCommand.Pull.class, (s, c) -> notFound(c.replyTo()))
        .onCommand(SubscriptionCommand.Seek.class, (s, c) -> notFound(c.replyTo()))
        .onCommand(SubscriptionCommand.ChangeSettings.class, (s, c) -> notFound(c.replyTo()))
        .onCommand(SubscriptionCommand.Attach.class, (s, c) -> refuse(c))
        .onCommand(SubscriptionCommand.Wake.class, (s, c) -> unregisterPush())
        .onCommand(RegistryWritten.class, (s, c) -> Effect().reply(c.replyTo(), c.reply()))
        .onCommand(Passivate.class, (s, c) -> Effect().stop())
        .onAnyCommand(c -> Effect().none());
    builder
        .forStateType(ActiveSubscription.class)
        .onCommand(SubscriptionCommand.Create.class, this::onCreateAgain)
        .onCommand(SubscriptionCommand.Get.class, this::onGet)
        .onCommand(SubscriptionCommand.ChangeSettings.class, this::onChangeSettings)
        .onCommand(SubscriptionCommand.Delete.class, this::onDelete)
        .onCommand(SubscriptionCommand.Wake.class, this::onWake)
        .onCommand(SubscriptionCommand.Attach.class, this::onAttach)
        .onCommand(SubscriptionCommand.Detach.class, (s, c) -> onGone(c.consumer()))
        .onCommand(ConsumerGone.class, (s, c) -> onGone(c.consumer()))
        .onCommand(SubscriptionCommand.Demand.class,
            (s, c) -> carryOut(core.demand(c.consumer(), c.credit(), now())))
        .onCommand(SubscriptionCommand.Proven.class,
            (s, c) -> carryOut(core.proven(c.consumer(), c.messages(), now())))
        .onCommand(SubscriptionCommand.Window.class,
            (s, c) -> carryOut(core.window(c.consumer(), c.messages(), now())))
        .onCommand(SubscriptionCommand.Pull.class,
            (s, c) -> carryOut(core.pull(c.max(), c.maxWait(), c.replyTo(), now())))
        .onCommand(SubscriptionCommand.Ack.class,
            (s, c) -> carryOut(core.ack(c.ackIds(), c.replyTo(), now())))
        .onCommand(SubscriptionCommand.Nack.class,
            (s, c) -> carryOut(core.nack(c.ackIds(), c.delay(), c.replyTo(), now())))
        .onCommand(SubscriptionCommand.Seek.class,
            (s, c) -> carryOut(core.seek(c.positions(), c.replyTo(), now())))
        .onCommand(Notice.class, this::onNotice)
        .onCommand(Loaded.class, (s, c) -> carryOut(core.loaded(c.partition(), c.generation(),
            c.from(), c.until(), c.rows().stream().map(LogEntry::message).toList(), c.newest(),
            now())))
        .onCommand(LoadFailed.class, this::onLoadFailed)
        .onCommand(PartitionGone.class, (s, c) -> onPartitionGone(c.partition()))
        .onCommand(Rewatch.class, (s, c) -> watch(s, c.partition()))
        .onCommand(CheckHeads.class, this::checkHeads)
        .onCommand(TimerDue.class, (s, c) -> carryOut(core.timer(c.key(), now())))
        .onCommand(DeadLetterWritten.class, this::onDeadLetterWritten)
        .onCommand(PushStopped.class, (s, c) -> {
          pushDeliverer = null;
          return Effect().none();
        })
        .onCommand(RegistryWritten.class, (s, c) -> Effect().reply(c.replyTo(), c.reply()))
        .onCommand(Passivate.class, (s, c) -> carryOut(core.passivate(now())));
    return builder.build();
  }

  // ---- lifecycle ----

  private Effect<SubscriptionEvent, SubscriptionState> onCreate(
      NoSubscription state, SubscriptionCommand.Create create) {
    var event =
        new SubscriptionEvent.Created(
            name,
            create.settings(),
            create.topic().name(),
            create.topic().topicId(),
            create.topic().partitions(),
            create.startPositions(),
            create.snapshotUntil(),
            Instant.now().truncatedTo(ChronoUnit.MILLIS));
    return Effect()
        .persist(event)
        .thenRun(
            s -> {
              ActiveSubscription created = (ActiveSubscription) s;
              startCore(created);
              SubscriptionReply reply = new SubscriptionReply.Created(view(created));
              var registered = deps.registry().register(name, created.topic(), created.createdAt());
              if (created.settings().hasPush()) {
                registered =
                    registered.thenCompose(
                        ok -> deps.pushRegistry().register(name, created.topic(), created.createdAt()));
              }
              ctx.pipeToSelf(
                  registered,
                  (ok, error) -> {
                    if (error != null) {
                      ctx.getLog().warn("Subscription {}: registering its name failed", name, error);
                    }
                    return new RegistryWritten(reply, create.replyTo());
                  });
            });
  }

  private Effect<SubscriptionEvent, SubscriptionState> onCreateAgain(
      ActiveSubscription state, SubscriptionCommand.Create create) {
    if (state.settings().equals(create.settings())
        && state.topicId().equals(create.topic().topicId())) {
      return Effect().reply(create.replyTo(), new SubscriptionReply.Found(view(state)));
    }
    return Effect().reply(create.replyTo(), new SubscriptionReply.Conflict(state.settings()));
  }

  private Effect<SubscriptionEvent, SubscriptionState> onGet(
      ActiveSubscription state, SubscriptionCommand.Get get) {
    return Effect().reply(get.replyTo(), new SubscriptionReply.Found(view(state)));
  }

  /**
   * A live change of settings: refused (Invalid) if the result is not a valid whole, else
   * persisted and in force at once; answered with the view once durable.
   */
  private Effect<SubscriptionEvent, SubscriptionState> onChangeSettings(
      ActiveSubscription state, SubscriptionCommand.ChangeSettings change) {
    SubscriptionSettings next = state.settings().with(change.change());
    var invalid = next.invalid();
    if (invalid.isPresent()) {
      return Effect().reply(change.replyTo(),
          new SubscriptionReply.Invalid(invalid.get().field(), invalid.get().detail()));
    }
    if (next.equals(state.settings())) {
      return Effect().reply(change.replyTo(), new SubscriptionReply.Found(view(state)));
    }
    var step = core.changeSettings(next, now());
    return Effect()
        .persist(step.events())
        .thenRun(
            s -> {
              perform(step);
              change.replyTo().tell(new SubscriptionReply.Found(view((ActiveSubscription) s)));
            });
  }

  private Effect<SubscriptionEvent, SubscriptionState> onDelete(
      ActiveSubscription state, SubscriptionCommand.Delete delete) {
    Step<ActorRef<ConsumerMessage>, ActorRef<SubscriptionReply>> closing = core.delete();
    return Effect()
        .persist(new SubscriptionEvent.Deleted(Instant.now()))
        .thenRun(
            deleted -> {
              perform(closing);
              stopCore();
              ctx.pipeToSelf(
                  deps.registry().unregister(name)
                      .thenCompose(ok -> deps.pushRegistry().unregister(name)),
                  (ok, error) -> new RegistryWritten(new SubscriptionReply.Deleted(), delete.replyTo()));
            });
  }

  /**
   * The push keeper's periodic wake-up: restarts a stopped webhook deliverer, and drops a stale
   * registration of a subscription that no longer pushes.
   */
  private Effect<SubscriptionEvent, SubscriptionState> onWake(
      ActiveSubscription state, SubscriptionCommand.Wake wake) {
    if (core != null && core.draining()) {
      // Stopping for a hand-off: a deliverer started now would take leases that die with this
      // incarnation. The next one is woken at its new home (see PushLauncher#stopped).
      return Effect().none();
    }
    if (state.settings().hasPush()) {
      startPush(state);
      return Effect().none();
    }
    return unregisterPush();
  }

  private Effect<SubscriptionEvent, SubscriptionState> unregisterPush() {
    deps.pushRegistry().unregister(name);
    return Effect().none();
  }

  private Effect<SubscriptionEvent, SubscriptionState> notFound(
      ActorRef<SubscriptionReply> replyTo) {
    return Effect().reply(replyTo, new SubscriptionReply.NotFound());
  }

  private Effect<SubscriptionEvent, SubscriptionState> refuse(SubscriptionCommand.Attach attach) {
    attach.consumer().tell(new ConsumerMessage.Closed("subscription not found"));
    return Effect().none();
  }

  private void startCore(ActiveSubscription state) {
    core = new DeliveryCore<>(state, deps.settings(), java.time.Clock.systemUTC(),
        deps.ackIds().forSubscription(name, state.createdAt()));
    closeMeters();
    meters = new HostedMeters<>(CourierMetrics.get(ctx.getSystem()).subscription(name), state);
    for (int p = 0; p < state.partitions(); p++) {
      watch(state, p);
    }
    timers.startTimerWithFixedDelay(
        "head-check", new CheckHeads(), deps.settings().headCheck());
    perform(core.start());
    startPush(state);
  }

  private void stopCore() {
    partitionRefs.values().forEach(r -> r.tell(new TopicPartitionCommand.Unwatch(noticeAdapter)));
    partitionRefs.clear();
    unansweredWatches.clear();
    lastHeard.clear();
    core = null;
    closeMeters();
    timers.cancelAll();
    if (pushDeliverer != null) {
      ctx.stop(pushDeliverer);
      pushDeliverer = null;
    }
  }

  private void closeMeters() {
    if (meters != null) {
      meters.close();
      meters = null;
    }
  }

  /** A push subscription runs its webhook deliverer as a child: a lease consumer like any other. */
  private void startPush(ActiveSubscription state) {
    if (pushDeliverer == null && state.settings().hasPush()) {
      var behavior =
          deps.push().deliverer(ctx.getSelf(), name, state.createdAt(), state.settings());
      if (behavior != null) {
        pushDeliverer = ctx.spawn(behavior, "push-" + (++pushIncarnation));
        ctx.watchWith(pushDeliverer, new PushStopped());
      }
    }
  }

  // ---- consumers ----

  private Effect<SubscriptionEvent, SubscriptionState> onAttach(
      ActiveSubscription state, SubscriptionCommand.Attach attach) {
    ActorRef<ConsumerMessage> consumer = attach.consumer();
    ctx.watchWith(consumer, new ConsumerGone(consumer));
    consumer.tell(new ConsumerMessage.Attached(ctx.getSelf()));
    if (meters != null) {
      meters.attached(consumer, protocol(attach));
    }
    return carryOut(core.attach(consumer, attach.mode(), attach.credit(), attach.resumeCursor(),
        attach.streamId(), now()));
  }

  /** SSE streams are cursor consumers; the push deliverer is this entity's child; else a socket. */
  private DeliveryProtocol protocol(SubscriptionCommand.Attach attach) {
    if (attach.mode() == ConsumerMode.CURSOR) {
      return DeliveryProtocol.SSE;
    }
    for (var p = attach.consumer().path(); p != null && !p.equals(p.root()); p = p.parent()) {
      if (p.equals(ctx.getSelf().path())) {
        return DeliveryProtocol.PUSH;
      }
    }
    return DeliveryProtocol.WEBSOCKET;
  }

  private Effect<SubscriptionEvent, SubscriptionState> onGone(ActorRef<ConsumerMessage> consumer) {
    ctx.unwatch(consumer);
    if (meters != null) {
      meters.gone(consumer);
    }
    return carryOut(core.detach(consumer, now()));
  }

  // ---- the partitions ----

  private Effect<SubscriptionEvent, SubscriptionState> onNotice(
      ActiveSubscription state, Notice notice) {
    PartitionNotice n = notice.notice();
    if (n instanceof PartitionNotice.Watching w
        && w.topicId().equals(state.topicId())
        && w.partition() < state.partitions()) {
      timers.cancel(rewatchKey(w.partition()));
      unansweredWatches.remove(w.partition());
      lastHeard.put(w.partition(), System.nanoTime());
      ActorRef<TopicPartitionCommand> known = partitionRefs.get(w.partition());
      if (known == null || !known.equals(w.partitionRef())) {
        partitionRefs.put(w.partition(), w.partitionRef());
        ctx.watchWith(w.partitionRef(), new PartitionGone(w.partition()));
      }
      return carryOut(core.headHeard(w.partition(), w.nextOffset(), now()));
    }
    if (n instanceof PartitionNotice.Appended a && a.topicId().equals(state.topicId())) {
      lastHeard.put(a.partition(), System.nanoTime());
      return carryOut(core.appended(a.partition(), a.messages(), a.nextOffset(), now()));
    }
    return Effect().none();
  }

  /**
   * Asks each partition not heard from for a head-check interval for its head, through sharding
   * (so the partition's current owner answers): what a lost append notice held back comes then.
   */
  private Effect<SubscriptionEvent, SubscriptionState> checkHeads(
      ActiveSubscription state, CheckHeads check) {
    long quiet = deps.settings().headCheck().toNanos();
    long now = System.nanoTime();
    for (int p = 0; p < state.partitions(); p++) {
      Long heard = lastHeard.get(p);
      if (heard != null && now - heard >= quiet && !unansweredWatches.contains(p)) {
        deps.partitions().partition(state.topicId(), p)
            .tell(new TopicPartitionCommand.Watch(noticeAdapter));
      }
    }
    return Effect().none();
  }

  private Effect<SubscriptionEvent, SubscriptionState> onPartitionGone(int partition) {
    partitionRefs.remove(partition);
    timers.startSingleTimer(
        rewatchKey(partition), new Rewatch(partition), deps.settings().rewatchDelay());
    return Effect().none();
  }

  /**
   * Watches a topic partition, and again every watch-retry until it answers: the watch is how the
   * subscription hears of new messages there, and a lost one would silence the partition for good.
   */
  private Effect<SubscriptionEvent, SubscriptionState> watch(
      ActiveSubscription state, int partition) {
    if (partition < state.partitions()) {
      if (!unansweredWatches.add(partition)) {
        ctx.getLog().info("Subscription {}: partition {} did not answer its watch in {}; again",
            name, partition, deps.settings().watchRetry());
      }
      deps.partitions().partition(state.topicId(), partition)
          .tell(new TopicPartitionCommand.Watch(noticeAdapter));
      timers.startSingleTimer(
          rewatchKey(partition), new Rewatch(partition), deps.settings().watchRetry());
    }
    return Effect().none();
  }

  private static String rewatchKey(int partition) {
    return "rewatch-" + partition;
  }

  private Effect<SubscriptionEvent, SubscriptionState> onLoadFailed(
      ActiveSubscription state, LoadFailed failed) {
    ctx.getLog().warn("Subscription {}: catch-up read of partition {} failed", name,
        failed.partition(), failed.cause());
    return carryOut(core.loadFailed(failed.partition(), failed.generation(), now()));
  }

  private Effect<SubscriptionEvent, SubscriptionState> onDeadLetterWritten(
      ActiveSubscription state, DeadLetterWritten written) {
    if (written.error() != null) {
      // The cause's message only: a failure that repeats (the topic is gone) must not fill the
      // log with stack traces while the message waits, held, for the next try.
      ctx.getLog().warn("Subscription {}: writing offset {}/{} to dead-letter topic {} failed ({});"
              + " trying again later",
          name, written.partition(), written.offset(), state.settings().deadLetterTopic(),
          String.valueOf(written.error()));
    }
    return carryOut(core.deadLetterWritten(written.partition(), written.offset(),
        written.leaseId(), written.error() != null, now()));
  }

  // ---- carrying out the core's steps ----

  /** Persists a step's events, then does the rest of it. */
  private EffectBuilder<SubscriptionEvent, SubscriptionState> carryOut(
      Step<ActorRef<ConsumerMessage>, ActorRef<SubscriptionReply>> step) {
    if (step.stop() && core != null && core.state().settings().hasPush()) {
      // Nothing else restarts a push subscription at its new home before the keeper's next wake.
      deps.push().stopped(name);
    }
    EffectBuilder<SubscriptionEvent, SubscriptionState> effect;
    if (step.events().isEmpty()) {
      perform(step);
      effect = step.stop() ? Effect().stop() : Effect().none();
    } else {
      effect = Effect().persist(step.events()).thenRun(s -> perform(step));
      if (step.stop()) {
        effect = effect.thenStop();
      }
    }
    return effect;
  }

  private void perform(Step<ActorRef<ConsumerMessage>, ActorRef<SubscriptionReply>> step) {
    for (TimerKey key : step.cancelledTimers()) {
      timers.cancel(key);
    }
    for (Step.StartTimer t : step.timers()) {
      if (t.delay().isZero()) {
        ctx.getSelf().tell(new TimerDue(t.key()));
      } else if (t.repeat()) {
        timers.startTimerWithFixedDelay(t.key(), new TimerDue(t.key()), t.delay());
      } else {
        timers.startSingleTimer(t.key(), new TimerDue(t.key()), t.delay());
      }
    }
    ActiveSubscription state = core == null ? null : core.state();
    for (Step.Read r : step.reads()) {
      ctx.pipeToSelf(
          read(state, r),
          (loaded, error) ->
              error == null ? loaded : new LoadFailed(r.partition(), r.generation(), error));
    }
    for (Step.DeadLetter d : step.deadLetters()) {
      writeDeadLetter(state, d);
    }
    for (var send : step.sends()) {
      send.consumer().tell(new ConsumerMessage.Deliveries(send.deliveries()));
    }
    for (var notice : step.notices()) {
      notice.consumer().tell(notice.lag());
    }
    for (var close : step.closes()) {
      ctx.unwatch(close.consumer());
      close.consumer().tell(new ConsumerMessage.Closed(close.reason()));
    }
    for (var reply : step.replies()) {
      reply.to().tell(reply.reply());
    }
    if (meters != null && core != null) {
      meters.performed(step, core);
    }
  }

  /** A catch-up read, then (if asked) the newest offset of each key it found, in one lookup. */
  private java.util.concurrent.CompletionStage<Loaded> read(ActiveSubscription state, Step.Read r) {
    return deps.log().read(state.topicId(), r.partition(), r.from(), r.until(), r.limit())
        .thenCompose(
            rows -> {
              Set<String> keys = new HashSet<>();
              if (r.newest()) {
                rows.forEach(e -> {
                  if (e.message().key() != null) {
                    keys.add(e.message().key());
                  }
                });
              }
              var newest = keys.isEmpty()
                  ? java.util.concurrent.CompletableFuture.completedFuture(Map.<String, Long>of())
                  : deps.latest().newest(state.topicId(), r.partition(), keys);
              return newest.thenApply(
                  n -> new Loaded(r.partition(), r.generation(), r.from(), r.until(), rows, n));
            });
  }

  private void writeDeadLetter(ActiveSubscription state, Step.DeadLetter d) {
    StoredMessage m = d.message();
    Map<String, String> attributes = new LinkedHashMap<>(m.attributes());
    attributes.put("courier.subscription", name);
    attributes.put("courier.topic", state.topic());
    attributes.put("courier.partition", Integer.toString(m.partition()));
    attributes.put("courier.offset", Long.toString(m.offset()));
    attributes.put("courier.deliveryAttempts", Integer.toString(d.attempts()));
    attributes.put("courier.id", m.id());
    // One record per subscription: subscriptions sharing a dead-letter topic must not deduplicate
    // each other's records, while a retried write of this one still is (same id, same key).
    NewMessage letter = new NewMessage(m.id() + "@" + name, m.key(), m.data(), attributes, true);
    ctx.pipeToSelf(
        deps.deadLetters().publish(state.settings().deadLetterTopic(), letter),
        (ok, error) -> new DeadLetterWritten(d.partition(), d.offset(), d.leaseId(), error));
  }

  /** The one clock the core is told: monotonic nanos. */
  private static long now() {
    return System.nanoTime();
  }

  // ---- the view ----

  private SubscriptionView view(ActiveSubscription state) {
    return core.view(name, state.settings().redacted(), node(), Instant.now());
  }

  /** This node's remoting address, {@code host:port} (the actor system's name on a local one). */
  private String node() {
    return LogMdc.node(ctx.getSystem());
  }
}
