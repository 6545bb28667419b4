package dev.courier.node.subscription;

import dev.courier.node.topic.TopicPartitionEntity;
import dev.courier.persistence.LogEntry;
import dev.courier.persistence.SubscriptionNames;
import dev.courier.persistence.TopicLogReader;
import dev.courier.protocol.subscription.AckId;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.topic.NewMessage;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.Cursor;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryCounters;
import dev.courier.protocol.subscription.OffsetSpan;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionView;
import dev.courier.protocol.topic.PartitionNotice;
import dev.courier.protocol.topic.StoredMessage;
import dev.courier.protocol.topic.TopicPartitionCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
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
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One subscription: its settings and per-partition positions, persisted as events in Cassandra,
 * and its live delivery to attached consumers. Messages come from memory when the topic partition
 * pushes them (the fast path) and from the topic log when delivery is behind (catch-up reads).
 *
 * <p>Delivery first persists a reservation (one write per many messages) so that after a failover
 * anything that may have been sent carries deliveryAttempt above 1. Cursor consumers (SSE) are done
 * with a message once it is written; their progress is persisted every commit interval. Lease
 * consumers (WebSocket, long polls, the webhook pusher) hold messages until they ack or nack them
 * or the ack deadline passes; acks are persisted in batches (one write for everything that arrived
 * during the previous write) before they are confirmed. Leases live in memory only: after a
 * failover every unacknowledged message is delivered again.
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
      SubscriptionNames registry,
      PartitionDirectory partitions,
      SubscriptionNames pushRegistry,
      DeadLetters deadLetters,
      PushLauncher push,
      DeliverySettings settings) {}

  public static void init(ActorSystem<?> system, Dependencies deps) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), deps))
                .withStopMessage(new Passivate()));
  }

  public static Behavior<SubscriptionCommand> create(String name, Dependencies deps) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new SubscriptionEntity(name, ctx, timers, deps)));
  }

  // ---- internal commands ----

  /**
   * Sharding's passivation or hand-off: stop handing out messages, give outstanding leases a
   * bounded time to be acked, persist what is pending, then stop.
   */
  public record Passivate() implements SubscriptionCommand {}

  /** The drain before a stop is over, acked or not. */
  private record DrainOver() implements SubscriptionCommand {}

  private record Notice(PartitionNotice notice) implements SubscriptionCommand {}

  private record Loaded(int partition, int generation, long from, long until, List<LogEntry> rows)
      implements SubscriptionCommand {}

  private record LoadFailed(int partition, int generation, Throwable cause)
      implements SubscriptionCommand {}

  private record PartitionGone(int partition) implements SubscriptionCommand {}

  private record Rewatch(int partition) implements SubscriptionCommand {}

  private record ConsumerGone(ActorRef<ConsumerMessage> consumer) implements SubscriptionCommand {}

  private record FlushCommits() implements SubscriptionCommand {}

  private record FlushAcks() implements SubscriptionCommand {}

  private record Tick() implements SubscriptionCommand {}

  private record DeadLetterWritten(int partition, long offset, long leaseId, Throwable error)
      implements SubscriptionCommand {}

  private record RetryDeadLetter(int partition, long offset, long leaseId)
      implements SubscriptionCommand {}

  /** Look again for something to read or deliver (after a seek, or a failed read's pause). */
  private record Pump() implements SubscriptionCommand {}

  /** The webhook deliverer stopped (it failed, or the subscription was deleted). */
  private record PushStopped() implements SubscriptionCommand {}

  /** The registry write of a create or delete finished: now answer the request. */
  private record RegistryWritten(SubscriptionReply reply, ActorRef<SubscriptionReply> replyTo)
      implements SubscriptionCommand {}

  // ---- runtime (memory only, actor-confined) ----

  private record AckWaiter(ActorRef<SubscriptionReply> replyTo, SubscriptionReply reply) {}

  private final String name;
  private final ActorContext<SubscriptionCommand> ctx;
  private final TimerScheduler<SubscriptionCommand> timers;
  private final Dependencies deps;
  private final ActorRef<PartitionNotice> noticeAdapter;
  private final DeliveryBook book;
  /** The book's lanes (one per partition), for the partition-facing code. */
  private final List<PartitionLane> lanes;
  private final List<AckId> ackBatch = new ArrayList<>();
  private final List<AckId> deadLetterBatch = new ArrayList<>();
  private final List<AckWaiter> ackWaiters = new ArrayList<>();
  private ActorRef<?> pushDeliverer;
  /** Stopping: no new deliveries; stops once no lease is outstanding (or the drain is over). */
  private boolean draining;
  private int pushIncarnation;
  private boolean flushScheduled;
  private boolean ticking;
  private boolean commitPending;

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
    this.book = new DeliveryBook(deps.settings().bufferPerPartition());
    this.lanes = book.lanes;
  }

  @Override
  public SubscriptionState emptyState() {
    return SubscriptionState.empty();
  }

  @Override
  public EventHandler<SubscriptionState, SubscriptionEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(SubscriptionState::apply);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(deps.settings().snapshotEvery(), 2);
  }

  @Override
  public SignalHandler<SubscriptionState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (state.exists()) {
                ctx.getLog().debug("Subscription {} started at {}", name, state.positions());
                startLanes(state);
                // Covers a crash between persisting Created and registering the name.
                deps.registry().register(name, state.topic(), state.createdAt());
                if (state.settings().hasPush()) {
                  deps.pushRegistry().register(name, state.topic(), state.createdAt());
                }
              }
            })
        .build();
  }

  @Override
  public CommandHandler<SubscriptionCommand, SubscriptionEvent, SubscriptionState>
      commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(SubscriptionCommand.Create.class, this::onCreate)
        .onCommand(SubscriptionCommand.Get.class, this::onGet)
        .onCommand(SubscriptionCommand.Delete.class, this::onDelete)
        .onCommand(SubscriptionCommand.Attach.class, this::onAttach)
        .onCommand(SubscriptionCommand.Detach.class, (s, c) -> removeConsumer(s, c.consumer()))
        .onCommand(ConsumerGone.class, (s, c) -> removeConsumer(s, c.consumer()))
        .onCommand(SubscriptionCommand.Demand.class, this::onDemand)
        .onCommand(SubscriptionCommand.Window.class, this::onWindow)
        .onCommand(SubscriptionCommand.Pull.class, this::onPull)
        .onCommand(SubscriptionCommand.Wake.class, this::onWake)
        .onCommand(PushStopped.class, (s, c) -> {
          pushDeliverer = null;
          return Effect().none();
        })
        .onCommand(SubscriptionCommand.Ack.class, this::onAck)
        .onCommand(SubscriptionCommand.Nack.class, this::onNack)
        .onCommand(FlushAcks.class, (s, c) -> onFlushAcks(s))
        .onCommand(Tick.class, (s, c) -> onTick(s))
        .onCommand(DeadLetterWritten.class, this::onDeadLetterWritten)
        .onCommand(RetryDeadLetter.class, this::onRetryDeadLetter)
        .onCommand(SubscriptionCommand.Seek.class, this::onSeek)
        .onCommand(Notice.class, this::onNotice)
        .onCommand(Loaded.class, this::onLoaded)
        .onCommand(LoadFailed.class, this::onLoadFailed)
        .onCommand(PartitionGone.class, this::onPartitionGone)
        .onCommand(Rewatch.class, (s, c) -> watch(s, c.partition()))
        .onCommand(FlushCommits.class, (s, c) -> flush(s))
        .onCommand(Pump.class, (s, c) -> deliver(s))
        .onCommand(RegistryWritten.class, (s, c) -> Effect().reply(c.replyTo(), c.reply()))
        .onCommand(Passivate.class, (s, c) -> onPassivate(s))
        .onCommand(DrainOver.class, (s, c) -> flush(s).thenStop())
        .build();
  }

  // ---- lifecycle ----

  private Effect<SubscriptionEvent, SubscriptionState> onCreate(
      SubscriptionState state, SubscriptionCommand.Create create) {
    if (state.exists()) {
      if (state.settings().equals(create.settings())
          && state.topicId().equals(create.topic().topicId())) {
        return Effect().reply(create.replyTo(), new SubscriptionReply.Found(view(state)));
      }
      return Effect().reply(create.replyTo(), new SubscriptionReply.Conflict(state.settings()));
    }
    var event =
        new SubscriptionEvent.Created(
            name,
            create.settings(),
            create.topic().name(),
            create.topic().topicId(),
            create.topic().partitions(),
            create.startPositions(),
            Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    return Effect()
        .persist(event)
        .thenRun(
            created -> {
              startLanes(created);
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

  /**
   * A hand-off (or idle passivation) while consumers hold leases would redeliver all of them from
   * the next incarnation. Instead, stop handing out messages and let the leases be acked, for at
   * most the hand-off drain; then persist and stop.
   */
  private Effect<SubscriptionEvent, SubscriptionState> onPassivate(SubscriptionState state) {
    if (!state.exists() || book.inFlight() == 0 || deps.settings().handoffDrain().isZero()) {
      return flush(state).thenStop();
    }
    if (!draining) {
      draining = true;
      timers.startSingleTimer("drain", new DrainOver(), deps.settings().handoffDrain());
    }
    return Effect().none();
  }

  /**
   * The push keeper's periodic wake-up: restarts a stopped webhook deliverer, and drops a stale
   * registration of a subscription that no longer pushes.
   */
  private Effect<SubscriptionEvent, SubscriptionState> onWake(
      SubscriptionState state, SubscriptionCommand.Wake wake) {
    if (state.exists() && state.settings().hasPush()) {
      startPush(state);
    } else {
      deps.pushRegistry().unregister(name);
    }
    return Effect().none();
  }

  private Effect<SubscriptionEvent, SubscriptionState> onGet(
      SubscriptionState state, SubscriptionCommand.Get get) {
    SubscriptionReply reply =
        state.exists() ? new SubscriptionReply.Found(view(state)) : new SubscriptionReply.NotFound();
    return Effect().reply(get.replyTo(), reply);
  }

  private Effect<SubscriptionEvent, SubscriptionState> onDelete(
      SubscriptionState state, SubscriptionCommand.Delete delete) {
    if (!state.exists()) {
      return Effect().reply(delete.replyTo(), new SubscriptionReply.NotFound());
    }
    return Effect()
        .persist(new SubscriptionEvent.Deleted(Instant.now()))
        .thenRun(
            deleted -> {
              book.consumers.keySet().forEach(c -> c.tell(new ConsumerMessage.Closed("deleted")));
              book.polls.forEach(p -> p.replyTo.tell(new SubscriptionReply.NotFound()));
              ackBatch.clear();
              deadLetterBatch.clear();
              stopLanes();
              ctx.pipeToSelf(
                  deps.registry().unregister(name)
                      .thenCompose(ok -> deps.pushRegistry().unregister(name)),
                  (ok, error) -> new RegistryWritten(new SubscriptionReply.Deleted(), delete.replyTo()));
            });
  }

  private void startLanes(SubscriptionState state) {
    book.start(state);
    for (int p = 0; p < lanes.size(); p++) {
      partitionEntity(state, p).tell(new TopicPartitionCommand.Watch(noticeAdapter));
    }
    timers.startTimerWithFixedDelay(
        "flush", new FlushCommits(), deps.settings().commitInterval());
    startPush(state);
  }

  /** A push subscription runs its webhook deliverer as a child: a lease consumer like any other. */
  private void startPush(SubscriptionState state) {
    if (pushDeliverer == null && state.settings().hasPush()) {
      var behavior = deps.push().deliverer(ctx.getSelf(), name, state.settings());
      if (behavior != null) {
        pushDeliverer = ctx.spawn(behavior, "push-" + (++pushIncarnation));
        ctx.watchWith(pushDeliverer, new PushStopped());
      }
    }
  }

  private void stopLanes() {
    for (PartitionLane lane : lanes) {
      if (lane.partitionRef != null) {
        lane.partitionRef.tell(new TopicPartitionCommand.Unwatch(noticeAdapter));
      }
    }
    book.stop();
    timers.cancelAll();
    ticking = false;
    flushScheduled = false;
    if (pushDeliverer != null) {
      ctx.stop(pushDeliverer);
      pushDeliverer = null;
    }
  }

  private RecipientRef<TopicPartitionCommand> partitionEntity(
      SubscriptionState state, int partition) {
    return deps.partitions().partition(state.topicId(), partition);
  }

  // ---- consumers ----

  private Effect<SubscriptionEvent, SubscriptionState> onAttach(
      SubscriptionState state, SubscriptionCommand.Attach attach) {
    if (!state.exists()) {
      attach.consumer().tell(new ConsumerMessage.Closed("subscription not found"));
      return Effect().none();
    }
    if (attach.streamId() != null) {
      for (ActorRef<ConsumerMessage> stale : book.sameStream(attach.streamId(), attach.consumer())) {
        dropConsumer(state, stale);
        stale.tell(new ConsumerMessage.Closed("replaced by a newer connection of the same stream"));
      }
    }
    boolean fresh =
        book.attach(attach.consumer(), attach.mode(), attach.streamId(), attach.credit());
    if (fresh) {
      ctx.watchWith(attach.consumer(), new ConsumerGone(attach.consumer()));
    }
    attach.consumer().tell(new ConsumerMessage.Attached(ctx.getSelf()));
    // A consumer already attached that attaches again (its retry crossed our answer) must not
    // move the subscription back to where it started.
    Optional<Cursor> resume =
        fresh && attach.mode() == ConsumerMode.CURSOR
            ? Optional.ofNullable(attach.resumeCursor())
                .flatMap(text -> Cursor.parse(text, state.partitions()))
            : Optional.empty();
    if (resume.isPresent()) {
      return seekTo(state, resume.get().positions());
    }
    return deliver(state);
  }

  private Effect<SubscriptionEvent, SubscriptionState> removeConsumer(
      SubscriptionState state, ActorRef<ConsumerMessage> consumer) {
    dropConsumer(state, consumer);
    return book.idle() ? flush(state) : deliver(state);
  }

  /** Forgets a consumer and releases its leases for redelivery at once. */
  private void dropConsumer(SubscriptionState state, ActorRef<ConsumerMessage> consumer) {
    ctx.unwatch(consumer);
    for (DeliveryBook.Ended ended : book.detach(consumer)) {
      giveBack(state, ended, Pending.NOW);
    }
  }

  private Effect<SubscriptionEvent, SubscriptionState> onDemand(
      SubscriptionState state, SubscriptionCommand.Demand demand) {
    book.demand(demand.consumer(), demand.credit());
    return demand.credit() > 0 ? deliver(state) : Effect().none();
  }

  private Effect<SubscriptionEvent, SubscriptionState> onWindow(
      SubscriptionState state, SubscriptionCommand.Window window) {
    book.window(window.consumer(), window.messages());
    return deliver(state);
  }

  private Effect<SubscriptionEvent, SubscriptionState> onPull(
      SubscriptionState state, SubscriptionCommand.Pull pull) {
    if (!state.exists()) {
      return Effect().reply(pull.replyTo(), new SubscriptionReply.NotFound());
    }
    if (book.polls.size() >= deps.settings().maxWaitingPolls()) {
      return Effect().reply(pull.replyTo(), new SubscriptionReply.Pulled(List.of()));
    }
    book.polls.add(
        new WaitingPoll(pull.replyTo(), Math.max(1, pull.max()),
            System.nanoTime() + pull.maxWait().toNanos()));
    EffectBuilder<SubscriptionEvent, SubscriptionState> effect = deliver(state);
    ensureTicking();
    return effect;
  }

  // ---- acks, nacks, leases ----

  private Effect<SubscriptionEvent, SubscriptionState> onAck(
      SubscriptionState state, SubscriptionCommand.Ack ack) {
    if (!state.exists()) {
      return Effect().reply(ack.replyTo(), new SubscriptionReply.NotFound());
    }
    DeliveryBook.AckOutcome outcome = book.ack(state, ack.ackIds());
    var reply = new SubscriptionReply.AckResult(outcome.newly(), outcome.durable());
    ackBatch.addAll(outcome.toPersist());
    if (ackBatch.isEmpty() && deadLetterBatch.isEmpty()) {
      return Effect().reply(ack.replyTo(), reply);
    }
    ackWaiters.add(new AckWaiter(ack.replyTo(), reply));
    scheduleFlush();
    return deliver(state);
  }

  /**
   * Acks wait up to the ack linger before they are written, so a busy subscription writes one
   * event per linger rather than one per consumer round trip; every ack that arrives meanwhile
   * (and during the write) goes into the same or the next event.
   */
  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      if (deps.settings().ackLinger().isZero()) {
        ctx.getSelf().tell(new FlushAcks());
      } else {
        timers.startSingleTimer("flush-acks", new FlushAcks(), deps.settings().ackLinger());
      }
    }
  }

  /**
   * Persists every ack and dead letter gathered since the last write as one or two events, then
   * answers the acks. Acks that arrive during the write are stashed and make the next batch.
   */
  private Effect<SubscriptionEvent, SubscriptionState> onFlushAcks(SubscriptionState state) {
    flushScheduled = false;
    return persistAndAnswer(ackEvents());
  }

  private EffectBuilder<SubscriptionEvent, SubscriptionState> persistAndAnswer(
      List<SubscriptionEvent> events) {
    List<AckWaiter> waiters = List.copyOf(ackWaiters);
    ackWaiters.clear();
    if (events.isEmpty()) {
      waiters.forEach(w -> w.replyTo().tell(w.reply()));
      return Effect().none();
    }
    return Effect()
        .persist(events)
        .thenRun(s -> waiters.forEach(w -> w.replyTo().tell(w.reply())));
  }

  private List<SubscriptionEvent> ackEvents() {
    List<SubscriptionEvent> events = new ArrayList<>(2);
    if (!ackBatch.isEmpty()) {
      events.add(new SubscriptionEvent.Acked(OffsetSpan.of(ackBatch), counters()));
      ackBatch.clear();
    }
    if (!deadLetterBatch.isEmpty()) {
      events.add(new SubscriptionEvent.DeadLettered(OffsetSpan.of(deadLetterBatch), counters()));
      deadLetterBatch.clear();
    }
    return events;
  }

  private Effect<SubscriptionEvent, SubscriptionState> onNack(
      SubscriptionState state, SubscriptionCommand.Nack nack) {
    if (!state.exists()) {
      return Effect().reply(nack.replyTo(), new SubscriptionReply.NotFound());
    }
    long notBefore =
        nack.delay().isZero() || nack.delay().isNegative()
            ? Pending.NOW
            : System.nanoTime() + nack.delay().toNanos();
    List<DeliveryBook.Ended> ended = book.nack(nack.ackIds());
    ended.forEach(e -> giveBack(state, e, notBefore));
    ensureTicking();
    int count = ended.size();
    return deliver(state).thenReply(nack.replyTo(), s -> new SubscriptionReply.Nacked(count));
  }

  /**
   * A lease ended without an ack (nack, expiry, consumer gone): the message waits to be delivered
   * again, or goes to the dead letters once it has had {@code maxDeliveries} attempts.
   */
  private void giveBack(SubscriptionState state, DeliveryBook.Ended ended, long notBefore) {
    Lease lease = ended.lease();
    if (lease.attempt < state.settings().maxDeliveries()) {
      ended.lane().addPending(new Pending(lease.message, lease.attempt + 1, notBefore));
      return;
    }
    String topic = state.settings().deadLetterTopic();
    if (topic == null) {
      deadLetterBatch.add(new AckId(ended.lane().partition, lease.message.offset()));
      scheduleFlush();
      return;
    }
    lease.deadLettering = true;
    ended.lane().addLease(lease);
    writeDeadLetter(state, ended.lane().partition, lease);
  }

  private void writeDeadLetter(SubscriptionState state, int partition, Lease lease) {
    StoredMessage m = lease.message;
    Map<String, String> attributes = new LinkedHashMap<>(m.attributes());
    attributes.put("courier.subscription", name);
    attributes.put("courier.topic", state.topic());
    attributes.put("courier.partition", Integer.toString(m.partition()));
    attributes.put("courier.offset", Long.toString(m.offset()));
    attributes.put("courier.deliveryAttempts", Integer.toString(lease.attempt));
    NewMessage letter = new NewMessage(m.id(), m.key(), m.data(), attributes, true);
    long offset = m.offset();
    long leaseId = lease.id;
    ctx.pipeToSelf(
        deps.deadLetters().publish(state.settings().deadLetterTopic(), letter),
        (ok, error) -> new DeadLetterWritten(partition, offset, leaseId, error));
  }

  private Effect<SubscriptionEvent, SubscriptionState> onDeadLetterWritten(
      SubscriptionState state, DeadLetterWritten written) {
    if (!state.exists() || written.partition() >= lanes.size()) {
      return Effect().none();
    }
    PartitionLane lane = lanes.get(written.partition());
    Lease lease = lane.leases.get(written.offset());
    if (lease == null || lease.id != written.leaseId()) {
      return Effect().none();
    }
    if (written.error() != null) {
      ctx.getLog().warn("Subscription {}: writing to dead-letter topic {} failed; retrying",
          name, state.settings().deadLetterTopic(), written.error());
      timers.startSingleTimer(
          "dead-letter-" + written.partition() + "-" + written.offset(),
          new RetryDeadLetter(written.partition(), written.offset(), written.leaseId()),
          deps.settings().rewatchDelay());
      return Effect().none();
    }
    lane.removeLease(written.offset());
    deadLetterBatch.add(new AckId(written.partition(), written.offset()));
    scheduleFlush();
    return deliver(state);
  }

  private Effect<SubscriptionEvent, SubscriptionState> onRetryDeadLetter(
      SubscriptionState state, RetryDeadLetter retry) {
    if (state.exists() && retry.partition() < lanes.size()) {
      Lease lease = lanes.get(retry.partition()).leases.get(retry.offset());
      if (lease != null && lease.id == retry.leaseId()) {
        writeDeadLetter(state, retry.partition(), lease);
      }
    }
    return Effect().none();
  }

  /** Expires leases past their deadline, answers long polls whose wait is over, wakes delays. */
  private Effect<SubscriptionEvent, SubscriptionState> onTick(SubscriptionState state) {
    if (!state.exists()) {
      return Effect().none();
    }
    long now = System.nanoTime();
    book.expire(now).forEach(e -> giveBack(state, e, Pending.NOW));
    book.expiredPolls(now).forEach(p -> p.replyTo.tell(new SubscriptionReply.Pulled(List.of())));
    EffectBuilder<SubscriptionEvent, SubscriptionState> effect = deliver(state);
    if (!book.needsTicking()) {
      timers.cancel("tick");
      ticking = false;
    }
    return effect;
  }

  private void ensureTicking() {
    if (!ticking && book.needsTicking()) {
      ticking = true;
      timers.startTimerWithFixedDelay("tick", new Tick(), deps.settings().leaseCheckInterval());
    }
  }

  // ---- seeks and commits ----

  private Effect<SubscriptionEvent, SubscriptionState> onSeek(
      SubscriptionState state, SubscriptionCommand.Seek seek) {
    if (!state.exists()) {
      return Effect().reply(seek.replyTo(), new SubscriptionReply.NotFound());
    }
    if (seek.positions().size() != state.partitions()) {
      return Effect()
          .reply(seek.replyTo(), new SubscriptionReply.Invalid("to", "cursor does not fit topic"));
    }
    String cursor = new Cursor(seek.positions()).encode();
    return seekTo(state, seek.positions())
        .thenReply(seek.replyTo(), s -> new SubscriptionReply.Seeked(cursor));
  }

  private EffectBuilder<SubscriptionEvent, SubscriptionState> seekTo(
      SubscriptionState state, List<Long> positions) {
    commitPending = false;
    return Effect()
        .persist(new SubscriptionEvent.Seeked(positions))
        .thenRun(
            seeked -> {
              book.reset(seeked);
              ctx.getSelf().tell(new Pump());
            });
  }

  /**
   * Persists what cursor consumers were written: each partition commits up to its lowest offset
   * still owed to someone, and offsets written above that are recorded as acks. Gathered client
   * acks go in the same write.
   */
  private EffectBuilder<SubscriptionEvent, SubscriptionState> flush(SubscriptionState state) {
    if (!state.exists()) {
      return Effect().none();
    }
    List<SubscriptionEvent> events = new ArrayList<>(3);
    if (commitPending) {
      commitPending = false;
      List<Long> points = new ArrayList<>(lanes.size());
      List<AckId> above = new ArrayList<>();
      boolean moved = false;
      for (PartitionLane lane : lanes) {
        long point = lane.commitPoint();
        points.add(point);
        moved |= point > state.position(lane.partition).committed();
        for (long offset : lane.cursorDone.tailSet(point)) {
          above.add(new AckId(lane.partition, offset));
        }
        lane.cursorDone.clear();
      }
      if (moved) {
        events.add(new SubscriptionEvent.Committed(points, counters()));
      }
      if (!above.isEmpty()) {
        events.add(new SubscriptionEvent.Acked(OffsetSpan.of(above), counters()));
      }
    }
    events.addAll(ackEvents());
    return persistAndAnswer(events);
  }

  private DeliveryCounters counters() {
    return new DeliveryCounters(book.delivered, book.redelivered);
  }

  // ---- the partitions ----

  private EffectBuilder<SubscriptionEvent, SubscriptionState> onNotice(
      SubscriptionState state, Notice notice) {
    if (!state.exists()) {
      return Effect().none();
    }
    PartitionNotice n = notice.notice();
    if (n instanceof PartitionNotice.Watching w
        && w.topicId().equals(state.topicId())
        && w.partition() < lanes.size()) {
      PartitionLane lane = lanes.get(w.partition());
      if (lane.partitionRef == null || !lane.partitionRef.equals(w.partitionRef())) {
        lane.partitionRef = w.partitionRef();
        ctx.watchWith(w.partitionRef(), new PartitionGone(w.partition()));
      }
      lane.headHeard(w.nextOffset());
    } else if (n instanceof PartitionNotice.Appended a
        && a.topicId().equals(state.topicId())
        && a.partition() < lanes.size()) {
      PartitionLane lane = lanes.get(a.partition());
      lane.head = Math.max(lane.head, a.nextOffset());
      lane.offer(a.messages(), deps.settings().bufferPerPartition());
    }
    return deliver(state);
  }

  private Effect<SubscriptionEvent, SubscriptionState> onPartitionGone(
      SubscriptionState state, PartitionGone gone) {
    if (gone.partition() < lanes.size()) {
      lanes.get(gone.partition()).partitionRef = null;
      timers.startSingleTimer(
          "rewatch-" + gone.partition(),
          new Rewatch(gone.partition()),
          deps.settings().rewatchDelay());
    }
    return Effect().none();
  }

  private Effect<SubscriptionEvent, SubscriptionState> watch(
      SubscriptionState state, int partition) {
    if (state.exists() && partition < lanes.size()) {
      partitionEntity(state, partition).tell(new TopicPartitionCommand.Watch(noticeAdapter));
    }
    return Effect().none();
  }

  /**
   * Starts a catch-up read when the lane's buffer runs low. Without consumers a lane holds just
   * its next message (enough to report lag), so idle subscriptions cost little memory.
   */
  private void readIfBehind(SubscriptionState state, PartitionLane lane) {
    int capacity = book.idle() ? 1 : deps.settings().bufferPerPartition();
    int page = Math.min(deps.settings().readPage(), capacity);
    int room = capacity - lane.buffer.size();
    if (lane.reading || lane.bufferEnd() >= lane.head || room < Math.max(1, page / 2)) {
      return;
    }
    int limit = Math.min(page, room);
    lane.reading = true;
    long from = lane.bufferEnd();
    long until = Math.min(lane.head, from + limit);
    int generation = lane.generation;
    int partition = lane.partition;
    ctx.pipeToSelf(
        deps.log().read(state.topicId(), partition, from, until, limit),
        (rows, error) ->
            error == null
                ? new Loaded(partition, generation, from, until, rows)
                : new LoadFailed(partition, generation, error));
  }

  private EffectBuilder<SubscriptionEvent, SubscriptionState> onLoaded(
      SubscriptionState state, Loaded loaded) {
    if (!state.exists() || loaded.partition() >= lanes.size()) {
      return Effect().none();
    }
    PartitionLane lane = lanes.get(loaded.partition());
    if (lane.generation != loaded.generation()) {
      return Effect().none();
    }
    lane.reading = false;
    if (loaded.rows().isEmpty()) {
      // Nothing stored in the range: it expired. Move past it.
      if (lane.buffer.isEmpty() && lane.readPos == loaded.from()) {
        lane.readPos = loaded.until();
      }
    } else {
      long first = loaded.rows().get(0).message().offset();
      if (lane.buffer.isEmpty() && first > lane.readPos) {
        lane.readPos = first;
      }
      for (LogEntry row : loaded.rows()) {
        if (row.message().offset() == lane.bufferEnd()) {
          lane.buffer.add(row.message());
        }
      }
    }
    return deliver(state);
  }

  private Effect<SubscriptionEvent, SubscriptionState> onLoadFailed(
      SubscriptionState state, LoadFailed failed) {
    ctx.getLog()
        .warn("Subscription {}: catch-up read of partition {} failed", name, failed.partition(),
            failed.cause());
    if (failed.partition() < lanes.size()) {
      PartitionLane lane = lanes.get(failed.partition());
      if (lane.generation == failed.generation()) {
        lane.reading = false;
        timers.startSingleTimer(
            "retry-read-" + failed.partition(),
            new Pump(),
            deps.settings().rewatchDelay());
      }
    }
    return Effect().none();
  }

  // ---- delivery ----

  /**
   * Hands messages to consumers and long polls with room. Goes no further than the persisted
   * reservation; when it must go further it first persists a new one and then delivers.
   */
  private EffectBuilder<SubscriptionEvent, SubscriptionState> deliver(SubscriptionState state) {
    if (!state.exists()) {
      return Effect().none();
    }
    if (draining) {
      return book.inFlight() == 0 ? flush(state).thenStop() : Effect().none();
    }
    for (PartitionLane lane : lanes) {
      readIfBehind(state, lane);
    }
    if (book.idle()) {
      return Effect().none();
    }
    List<Long> marks = reservationNeeded(state);
    if (marks != null) {
      return Effect()
          .persist(new SubscriptionEvent.DeliveryReserved(marks))
          .thenRun(this::dispatch);
    }
    dispatch(state);
    return Effect().none();
  }

  /** New reservation marks if some buffered message lies at or past its partition's mark. */
  private List<Long> reservationNeeded(SubscriptionState state) {
    boolean needed = false;
    List<Long> marks = new ArrayList<>(lanes.size());
    for (PartitionLane lane : lanes) {
      long reserved = state.position(lane.partition).reserved();
      if (!lane.buffer.isEmpty() && lane.readPos >= reserved) {
        needed = true;
        // Ahead of the head on purpose: live delivery then persists one reservation per
        // reserve-ahead messages, not one per append. Offsets reserved but never sent are
        // only marked as possible repeats, which they are not; clients deduplicate by id.
        marks.add(Math.max(reserved, lane.readPos + deps.settings().reserveAhead()));
      } else {
        marks.add(reserved);
      }
    }
    return needed ? marks : null;
  }

  private void dispatch(SubscriptionState state) {
    DeliveryBook.Outbox out = book.dispatch(state, System.nanoTime());
    out.deliveries()
        .forEach((consumer, batch) -> consumer.tell(new ConsumerMessage.Deliveries(batch)));
    for (WaitingPoll poll : out.answered()) {
      poll.replyTo.tell(new SubscriptionReply.Pulled(poll.taken));
    }
    commitPending |= out.cursorWritten();
    if (out.leased()) {
      ensureTicking();
    }
    for (PartitionLane lane : lanes) {
      readIfBehind(state, lane);
    }
  }

  // ---- the view ----

  private SubscriptionView view(SubscriptionState state) {
    return book.view(name, state, redacted(state.settings()), node());
  }

  /** This node's remoting address, {@code host:port} (the actor system's name on a local one). */
  private String node() {
    Address a = ctx.getSystem().address();
    return a.getHost().map(h -> h + ":" + a.getPort().orElse(0)).orElse(a.system());
  }

  private static SubscriptionSettings redacted(SubscriptionSettings s) {
    if (s.push() == null) {
      return s;
    }
    return new SubscriptionSettings(
        s.topic(), s.startAt(), s.ackDeadline(), s.maxInFlight(), s.ordered(), s.maxDeliveries(),
        s.deadLetterTopic(), s.overflow(), s.lagWarning(), s.push().redacted());
  }
}
