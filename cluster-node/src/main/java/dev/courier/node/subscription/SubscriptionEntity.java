package dev.courier.node.subscription;

import dev.courier.node.topic.TopicPartitionEntity;
import dev.courier.persistence.LogEntry;
import dev.courier.persistence.SubscriptionNames;
import dev.courier.persistence.TopicLogReader;
import dev.courier.protocol.subscription.AckId;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.Cursor;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryCounters;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionView;
import dev.courier.protocol.topic.PartitionNotice;
import dev.courier.protocol.topic.StoredMessage;
import dev.courier.protocol.topic.TopicPartitionCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
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
 * anything that may have been sent carries deliveryAttempt above 1. Cursor consumers (SSE) commit
 * as they are written; commits are persisted in batches every commit interval.
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

  /** Sharding's passivation: persist what is pending, then stop. */
  public record Passivate() implements SubscriptionCommand {}

  private record Notice(PartitionNotice notice) implements SubscriptionCommand {}

  private record Loaded(int partition, int generation, long from, long until, List<LogEntry> rows)
      implements SubscriptionCommand {}

  private record LoadFailed(int partition, int generation, Throwable cause)
      implements SubscriptionCommand {}

  private record PartitionGone(int partition) implements SubscriptionCommand {}

  private record Rewatch(int partition) implements SubscriptionCommand {}

  private record ConsumerGone(ActorRef<ConsumerMessage> consumer) implements SubscriptionCommand {}

  private record FlushCommits() implements SubscriptionCommand {}

  /** Look again for something to read or deliver (after a seek, or a failed read's pause). */
  private record Pump() implements SubscriptionCommand {}

  /** The registry write of a create or delete finished: now answer the request. */
  private record RegistryWritten(SubscriptionReply reply, ActorRef<SubscriptionReply> replyTo)
      implements SubscriptionCommand {}

  // ---- runtime (memory only, actor-confined) ----

  private static final class ConsumerState {
    final String streamId;
    int credit;

    ConsumerState(String streamId, int credit) {
      this.streamId = streamId;
      this.credit = credit;
    }
  }

  private final String name;
  private final ActorContext<SubscriptionCommand> ctx;
  private final TimerScheduler<SubscriptionCommand> timers;
  private final Dependencies deps;
  private final ActorRef<PartitionNotice> noticeAdapter;
  private final LinkedHashMap<ActorRef<ConsumerMessage>, ConsumerState> consumers =
      new LinkedHashMap<>();
  private final List<PartitionLane> lanes = new ArrayList<>();
  private boolean commitPending;
  private int nextPartition;
  private long delivered;
  private long redelivered;

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
                startLanes(state);
                // Covers a crash between persisting Created and registering the name.
                deps.registry().register(name, state.topic(), state.createdAt());
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
        .onCommand(SubscriptionCommand.Ack.class, this::onAck)
        .onCommand(SubscriptionCommand.Seek.class, this::onSeek)
        .onCommand(Notice.class, this::onNotice)
        .onCommand(Loaded.class, this::onLoaded)
        .onCommand(LoadFailed.class, this::onLoadFailed)
        .onCommand(PartitionGone.class, this::onPartitionGone)
        .onCommand(Rewatch.class, (s, c) -> watch(s, c.partition()))
        .onCommand(FlushCommits.class, (s, c) -> flushCommits(s))
        .onCommand(Pump.class, (s, c) -> deliver(s))
        .onCommand(RegistryWritten.class, (s, c) -> Effect().reply(c.replyTo(), c.reply()))
        .onCommand(Passivate.class, (s, c) -> flushCommits(s).thenStop())
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
              ctx.pipeToSelf(
                  deps.registry().register(name, created.topic(), created.createdAt()),
                  (ok, error) -> {
                    if (error != null) {
                      ctx.getLog().warn("Subscription {}: registering its name failed", name, error);
                    }
                    return new RegistryWritten(reply, create.replyTo());
                  });
            });
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
              consumers.keySet().forEach(c -> c.tell(new ConsumerMessage.Closed("deleted")));
              consumers.clear();
              stopLanes();
              ctx.pipeToSelf(
                  deps.registry().unregister(name),
                  (ok, error) -> new RegistryWritten(new SubscriptionReply.Deleted(), delete.replyTo()));
            });
  }

  private void startLanes(SubscriptionState state) {
    lanes.clear();
    for (int p = 0; p < state.partitions(); p++) {
      PartitionPosition pos = state.position(p);
      lanes.add(new PartitionLane(p, pos.committed(), pos.reserved()));
    }
    for (int p = 0; p < lanes.size(); p++) {
      partitionEntity(state, p).tell(new TopicPartitionCommand.Watch(noticeAdapter));
    }
    timers.startTimerWithFixedDelay(
        "flush", new FlushCommits(), deps.settings().commitInterval());
  }

  private void stopLanes() {
    for (PartitionLane lane : lanes) {
      if (lane.partitionRef != null) {
        lane.partitionRef.tell(new TopicPartitionCommand.Unwatch(noticeAdapter));
      }
    }
    lanes.clear();
    timers.cancelAll();
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
      replaceStream(attach.streamId(), attach.consumer());
    }
    if (!consumers.containsKey(attach.consumer())) {
      consumers.put(
          attach.consumer(), new ConsumerState(attach.streamId(), Math.max(0, attach.credit())));
      ctx.watchWith(attach.consumer(), new ConsumerGone(attach.consumer()));
    }
    attach.consumer().tell(new ConsumerMessage.Attached(ctx.getSelf()));
    Optional<Cursor> resume =
        Optional.ofNullable(attach.resumeCursor())
            .flatMap(text -> Cursor.parse(text, state.partitions()));
    if (resume.isPresent()) {
      return seekTo(state, resume.get().positions());
    }
    return deliver(state);
  }

  /** Closes an earlier attachment of the same client stream: the client has moved on. */
  private void replaceStream(String streamId, ActorRef<ConsumerMessage> newer) {
    var stale =
        consumers.entrySet().stream()
            .filter(e -> streamId.equals(e.getValue().streamId) && !e.getKey().equals(newer))
            .map(Map.Entry::getKey)
            .toList();
    for (ActorRef<ConsumerMessage> old : stale) {
      consumers.remove(old);
      ctx.unwatch(old);
      old.tell(new ConsumerMessage.Closed("replaced by a newer connection of the same stream"));
    }
  }

  private Effect<SubscriptionEvent, SubscriptionState> removeConsumer(
      SubscriptionState state, ActorRef<ConsumerMessage> consumer) {
    if (consumers.remove(consumer) != null) {
      ctx.unwatch(consumer);
    }
    return consumers.isEmpty() ? flushCommits(state) : Effect().none();
  }

  private Effect<SubscriptionEvent, SubscriptionState> onDemand(
      SubscriptionState state, SubscriptionCommand.Demand demand) {
    ConsumerState c = consumers.get(demand.consumer());
    if (c != null) {
      c.credit += Math.max(0, demand.credit());
    }
    return deliver(state);
  }

  // ---- acks and seeks ----

  private Effect<SubscriptionEvent, SubscriptionState> onAck(
      SubscriptionState state, SubscriptionCommand.Ack ack) {
    if (!state.exists()) {
      return Effect().reply(ack.replyTo(), new SubscriptionReply.NotFound());
    }
    List<AckId> valid = new ArrayList<>();
    java.util.Set<AckId> seen = new java.util.HashSet<>();
    for (String text : ack.ackIds()) {
      AckId.parse(text)
          .filter(id -> id.partition() < lanes.size())
          .filter(this::awaitingAck)
          .filter(id -> !state.position(id.partition()).isDone(id.offset()))
          .filter(seen::add)
          .ifPresent(valid::add);
    }
    if (valid.isEmpty()) {
      return Effect().reply(ack.replyTo(), new SubscriptionReply.AckResult(0, List.of()));
    }
    int count = valid.size();
    return Effect()
        .persist(new SubscriptionEvent.Acked(valid, DeliveryCounters.ZERO))
        .thenReply(ack.replyTo(), s -> new SubscriptionReply.AckResult(count, List.of()));
  }

  /**
   * An offset awaits an ack when it may have been delivered and is not done: cursor delivery in
   * this incarnation marks everything below {@code readPos} done, so that leaves what an earlier
   * incarnation may have sent, not yet delivered again.
   */
  private boolean awaitingAck(AckId id) {
    PartitionLane lane = lanes.get(id.partition());
    return id.offset() >= lane.readPos && id.offset() < lane.redeliverBelow;
  }

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

  private EffectBuilder<SubscriptionEvent, SubscriptionState> seekTo(SubscriptionState state, List<Long> positions) {
    commitPending = false;
    return Effect()
        .persist(new SubscriptionEvent.Seeked(positions))
        .thenRun(
            seeked -> {
              for (int p = 0; p < lanes.size(); p++) {
                PartitionPosition pos = seeked.position(p);
                lanes.get(p).resetTo(pos.committed(), pos.reserved());
              }
              ctx.getSelf().tell(new Pump());
            });
  }

  private EffectBuilder<SubscriptionEvent, SubscriptionState> flushCommits(
      SubscriptionState state) {
    if (!commitPending || !state.exists()) {
      return Effect().none();
    }
    commitPending = false;
    List<Long> positions = new ArrayList<>(lanes.size());
    for (PartitionLane lane : lanes) {
      positions.add(lane.readPos);
    }
    return Effect().persist(new SubscriptionEvent.Committed(positions, DeliveryCounters.ZERO));
  }

  // ---- the partitions ----

  private Effect<SubscriptionEvent, SubscriptionState> onNotice(
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
    int capacity = consumers.isEmpty() ? 1 : deps.settings().bufferPerPartition();
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

  private Effect<SubscriptionEvent, SubscriptionState> onLoaded(
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
   * Hands buffered messages to consumers with credit, round-robin over partitions and consumers.
   * Goes no further than the persisted reservation; when it must go further it first persists a
   * new one and then delivers.
   */
  private Effect<SubscriptionEvent, SubscriptionState> deliver(SubscriptionState state) {
    if (!state.exists()) {
      return Effect().none();
    }
    for (PartitionLane lane : lanes) {
      readIfBehind(state, lane);
    }
    if (consumers.isEmpty()) {
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
    Map<ActorRef<ConsumerMessage>, List<Delivery>> out = new HashMap<>();
    List<Map.Entry<ActorRef<ConsumerMessage>, ConsumerState>> ring =
        new ArrayList<>(consumers.entrySet());
    int turn = 0;
    int idleRounds = 0;
    while (idleRounds < ring.size()) {
      var consumer = ring.get(turn % ring.size());
      turn++;
      if (consumer.getValue().credit <= 0) {
        idleRounds++;
        continue;
      }
      StoredMessage message = nextMessage(state);
      if (message == null) {
        break;
      }
      idleRounds = 0;
      consumer.getValue().credit--;
      out.computeIfAbsent(consumer.getKey(), k -> new ArrayList<>()).add(toDelivery(state, message));
    }
    out.forEach((consumer, deliveries) -> consumer.tell(new ConsumerMessage.Deliveries(deliveries)));
    if (!out.isEmpty()) {
      commitPending = true;
      for (PartitionLane lane : lanes) {
        readIfBehind(state, lane);
      }
    }
  }

  /** The next deliverable message, round-robin over partitions, skipping acked offsets. */
  private StoredMessage nextMessage(SubscriptionState state) {
    for (int i = 0; i < lanes.size(); i++) {
      PartitionLane lane = lanes.get((nextPartition + i) % lanes.size());
      PartitionPosition pos = state.position(lane.partition);
      while (!lane.buffer.isEmpty() && lane.readPos < pos.reserved()) {
        StoredMessage m = lane.buffer.poll();
        lane.readPos = m.offset() + 1;
        if (!pos.isDone(m.offset())) {
          nextPartition = (lane.partition + 1) % lanes.size();
          return m;
        }
      }
    }
    return null;
  }

  private Delivery toDelivery(SubscriptionState state, StoredMessage m) {
    PartitionLane lane = lanes.get(m.partition());
    int attempt = m.offset() < lane.redeliverBelow ? 2 : 1;
    delivered++;
    if (attempt > 1) {
      redelivered++;
    }
    DeliveryRecord record =
        new DeliveryRecord(
            new AckId(m.partition(), m.offset()).encode(),
            m.id(),
            state.topic(),
            m.partition(),
            m.offset(),
            m.key(),
            m.publishTime(),
            m.attributes(),
            m.data(),
            attempt);
    List<Long> positions = new ArrayList<>(lanes.size());
    for (PartitionLane l : lanes) {
      positions.add(l.readPos);
    }
    return new Delivery(record, new Cursor(positions).encode());
  }

  // ---- the view ----

  private SubscriptionView view(SubscriptionState state) {
    long backlog = 0;
    Instant oldest = null;
    List<Long> positions = new ArrayList<>();
    for (int p = 0; p < state.partitions(); p++) {
      PartitionLane lane = p < lanes.size() ? lanes.get(p) : null;
      long position = lane != null ? lane.readPos : state.position(p).committed();
      positions.add(position);
      if (lane != null) {
        backlog += lane.backlog();
        StoredMessage first = lane.buffer.peek();
        if (lane.backlog() > 0 && first != null
            && (oldest == null || first.publishTime().isBefore(oldest))) {
          oldest = first.publishTime();
        }
      }
    }
    double lag =
        oldest == null ? 0.0 : Math.max(0, Duration.between(oldest, Instant.now()).toMillis() / 1000.0);
    return new SubscriptionView(
        name,
        state.settings(),
        state.partitions(),
        state.createdAt(),
        positions,
        backlog,
        lag,
        0,
        delivered,
        state.acked(),
        redelivered,
        0,
        consumers.size());
  }
}
