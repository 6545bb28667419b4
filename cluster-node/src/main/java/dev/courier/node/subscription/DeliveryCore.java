package dev.courier.node.subscription;

import dev.courier.protocol.security.ClusterKey;
import dev.courier.protocol.subscription.AckId;
import dev.courier.protocol.subscription.AckIdCodec;
import dev.courier.protocol.subscription.AckIdKey;
import dev.courier.protocol.subscription.AttemptMark;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Cursor;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryCounters;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.OffsetSpan;
import dev.courier.protocol.subscription.SubscriptionCommand;
import dev.courier.protocol.subscription.SubscriptionEvent;
import dev.courier.protocol.subscription.SubscriptionReply;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.subscription.SubscriptionView;
import dev.courier.protocol.topic.StoredMessage;
import dev.courier.protocol.subscription.AggregateRow;
import dev.courier.query.QueryMessage;
import dev.courier.query.ResultRow;
import dev.courier.query.WindowState;
import dev.courier.query.WindowedAggregation;
import java.time.Duration;
import java.time.Clock;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Optional;
import java.util.Set;

/**
 * Every delivery decision of one existing subscription, in plain Java: who gets which message
 * with which attempt, what is leased, what must be written before what is sent, when to read the
 * log, when to answer a long poll. Each input returns one {@link Step} for the shell (the entity)
 * to carry out. Time is an input ({@code now}, nanos on one monotonic clock); consumers ({@code
 * C}) and reply targets ({@code R}) are opaque handles. Keeps its own copy of the persisted state,
 * applying the events it emits at once, so the shell must persist every step's events before
 * anything else it asks for.
 *
 * <p>Slow consumers: with overflow {@code drop-oldest} first delivery never lags more than {@code
 * maxBacklog} messages behind the heads (the partitions furthest behind give way first); with
 * {@code latest} a keyed message that a newer one of its key supersedes is passed over when its
 * turn comes; a keyed snapshot passes over keyless and superseded messages below its boundary.
 * What is passed over is written (with the next ack write) as done, so it stays passed over after
 * a restart. Attached consumers get lag notices: when the oldest undelivered message is older than
 * {@code lagWarning} (by its publish time, against the wall clock), at most once per lagWarning,
 * and once more when it is back under.
 */
final class DeliveryCore<C, R> {

  /** A lease in deadline order (leases are granted in time order with one ack deadline). */
  private record LeaseRef(int partition, long offset, long leaseId, long deadline) {}

  private final DeliverySettings settings;
  private ActiveSubscription state;
  private final List<PartitionLane<C>> lanes = new ArrayList<>();
  private final LinkedHashMap<C, AttachedConsumer<C>> consumers = new LinkedHashMap<>();
  private final List<WaitingPoll<R>> polls = new ArrayList<>();
  private final PriorityQueue<LeaseRef> leaseQueue =
      new PriorityQueue<>((a, b) -> Long.signum(a.deadline() - b.deadline()));
  private final WriteLedger<R> ledger = new WriteLedger<>();
  private final List<AttemptMark> attemptMarks = new ArrayList<>();
  private long delivered;
  private long redelivered;
  private long leaseSeq;
  /** Skips counted in the ledger and not yet written (the view shows them at once). */
  private long ledgerSkipsCounted;
  private int nextPartition;
  private boolean ticking;
  private boolean draining;
  private boolean pollFillArmed;
  private boolean reservationMoved;
  private boolean stopped;
  private boolean lagChecking;
  /**
   * A resume cursor waiting for every partition's head to be heard, so it can be held to
   * {@code [0, head]} before the subscription moves there; nothing is delivered meanwhile.
   */
  private List<Long> resumeAwaitingHeads;
  private final InstantSource wallClock;
  /** The subscription's query, compiled when the core starts (on creation and on recovery). */
  private final SubscriptionQuery query;
  /** An aggregation query's windows (null for any other query): every message goes into them. */
  private final WindowedAggregation aggregation;
  /** The aggregation's windows as of the last step (persisted in that step's events). */
  private WindowState windows;
  /** The index of the row lane (the last lane) of an aggregation subscription, else -1. */
  private final int rowLane;
  private Step.Builder<C, R> out;
  /** Mints and checks this subscription incarnation's ack ids. */
  private final AckIdCodec ackIds;

  /** The key of cores made without one (tests): one per process, so ids outlive a core. */
  private static final AckIdKey OWN_KEY = AckIdKey.of(ClusterKey.generate());

  DeliveryCore(ActiveSubscription state, DeliverySettings settings) {
    this(state, settings, Clock.systemUTC());
  }

  /** {@code wallClock} tells the time that publish times are compared with, for lag. */
  DeliveryCore(ActiveSubscription state, DeliverySettings settings, InstantSource wallClock) {
    this(state, settings, wallClock, OWN_KEY.forSubscription("",
        state.createdAt() == null ? Instant.EPOCH : state.createdAt()));
  }

  /** {@code ackIds}: the codec of this subscription incarnation's ack ids (the cluster's key). */
  DeliveryCore(ActiveSubscription state, DeliverySettings settings, InstantSource wallClock,
      AckIdCodec ackIds) {
    this.ackIds = ackIds;
    this.state = state;
    this.settings = settings;
    this.wallClock = wallClock;
    this.query = SubscriptionQuery.of(state.settings());
    this.aggregation =
        state.aggregation() == null ? null : query.aggregation().orElse(null);
    this.rowLane = state.aggregation() == null ? -1 : state.partitions();
    for (int p = 0; p < state.partitions(); p++) {
      PartitionPosition pos = state.position(p);
      lanes.add(
          new PartitionLane<>(
              p, state.settings().ordered(), pos.committed(), pos.reserved(),
              rowLane < 0 ? query : SubscriptionQuery.NONE));
    }
    if (rowLane >= 0) {
      AggregateState agg = state.aggregation();
      PartitionPosition pos = state.position(rowLane);
      PartitionLane<C> rows =
          new PartitionLane<>(rowLane, false, pos.committed(), pos.reserved());
      rows.headHeard(agg.nextRow());
      lanes.add(rows);
      windows = aggregation == null ? null
          : agg.window() == null ? aggregation.initial(state.partitions())
          : WindowState.fromJson(agg.window());
    }
    delivered = state.counters().delivered();
    redelivered = state.counters().redelivered();
  }

  /** The persisted state as the core sees it (the shell's, once the last step is written). */
  ActiveSubscription state() {
    return state;
  }

  /** The codec this core mints and checks ack ids with. */
  AckIdCodec ackIds() {
    return ackIds;
  }

  // ---- inputs: lifecycle ----

  /** The subscription runs: cursor progress is committed periodically from now on. */
  Step<C, R> start() {
    begin();
    out.start(new TimerKey.FlushCommits(), settings.commitInterval(), true);
    if (aggregation != null) {
      out.start(new TimerKey.WindowClock(), settings.windowClockInterval(), true);
    }
    return end();
  }

  /**
   * Sharding's passivation or hand-off: a stop while socket consumers hold leases would redeliver
   * all of them from the next incarnation, so hand out nothing new and let those leases be acked
   * (their acks come straight to this incarnation), for at most the hand-off drain; then write
   * what is owed and stop. Waiting long polls are answered at once with what they hold, so their
   * clients poll again and reach the next incarnation. Leases held by long polls are not waited
   * for: their acks travel through sharding, which holds them for the next incarnation during a
   * hand-off, and that incarnation takes an ack of an offset an earlier one sent.
   */
  Step<C, R> passivate(long now) {
    begin();
    answerWaitingPolls(now);
    if (leasesToDrain() == 0 || settings.handoffDrain().isZero()) {
      finish();
    } else if (!draining) {
      draining = true;
      out.start(new TimerKey.DrainOver(), settings.handoffDrain(), false);
    }
    return end();
  }

  /** The subscription is being deleted: close its consumers and answer its polls. */
  Step<C, R> delete() {
    begin();
    consumers.keySet().forEach(c -> out.closes.add(new Step.Close<>(c, "deleted")));
    polls.forEach(p -> out.reply(p.replyTo, new SubscriptionReply.NotFound()));
    consumers.clear();
    polls.clear();
    leaseQueue.clear();
    ledger.clear();
    stopped = true;
    return end();
  }

  // ---- inputs: consumers ----

  /**
   * Attaches a consumer. A later attachment of the same client stream replaces earlier ones (their
   * connections may be dead without the server knowing yet). A fresh cursor consumer with a resume
   * cursor moves the subscription there first; an attach repeated by an attached consumer (its
   * retry crossed the answer) must not move it back.
   */
  Step<C, R> attach(
      C consumer, ConsumerMode mode, int credit, String resumeCursor, String streamId, long now) {
    begin();
    if (streamId != null) {
      for (AttachedConsumer<C> c : List.copyOf(consumers.values())) {
        if (streamId.equals(c.streamId) && !c.ref.equals(consumer)) {
          drop(c.ref);
          out.closes.add(
              new Step.Close<>(c.ref, "replaced by a newer connection of the same stream"));
        }
      }
    }
    boolean fresh = !consumers.containsKey(consumer);
    if (fresh && consumers.size() >= settings.maxConsumers()) {
      out.closes.add(new Step.Close<>(consumer, "this subscription has "
          + settings.maxConsumers() + " consumers attached, its limit; try again later"));
      return end();
    }
    if (fresh) {
      int start = mode == ConsumerMode.LEASE ? window(credit) : Math.max(0, credit);
      consumers.put(consumer,
          new AttachedConsumer<>(consumer, mode, streamId, start, settings.maxConsumerBytes()));
    }
    // A cursor of another incarnation of the topic, or not a cursor at all, is ignored: the stream
    // starts at the subscription's position, as without one (an EventSource gets no error status).
    Optional<Cursor> resume =
        fresh && mode == ConsumerMode.CURSOR && resumeCursor != null
            ? Cursor.read(resumeCursor, lanes.size(), state.topicId()).cursor()
            : Optional.empty();
    resume.ifPresent(c -> resumeAt(c.positions()));
    dispatch(now);
    ensureLagChecks();
    return end();
  }

  /** The consumer is gone: its leases and unproven deliveries are given back at once. */
  Step<C, R> detach(C consumer, long now) {
    begin();
    drop(consumer);
    if (idle()) {
      flushAll();
    } else {
      dispatch(now);
    }
    return end();
  }

  /** A cursor consumer can take {@code credit} more messages (zero is a keep-alive). */
  Step<C, R> demand(C consumer, int credit, long now) {
    begin();
    AttachedConsumer<C> c = consumers.get(consumer);
    if (c != null && !c.leases() && credit > 0) {
      c.credit += credit;
      c.handed(credit);
      dispatch(now);
    }
    return end();
  }

  /**
   * A cursor consumer's first {@code messages} unproven deliveries reached a live client: they
   * are done, and committed with the next commit.
   */
  Step<C, R> proven(C consumer, int messages, long now) {
    begin();
    AttachedConsumer<C> c = consumers.get(consumer);
    if (c != null && !c.leases()) {
      for (int i = 0; i < messages && !c.unproven.isEmpty(); i++) {
        StoredMessage m = c.unproven.poll().message();
        PartitionLane<C> lane = lanes.get(m.partition());
        if (lane.unproven.remove(m.offset())) {
          lane.proven.add(m.offset());
          ledger.commitDue = true;
        }
      }
      if (draining) {
        dispatch(now);
      }
    }
    return end();
  }

  /** Sets a lease consumer's window. */
  Step<C, R> window(C consumer, int messages, long now) {
    begin();
    AttachedConsumer<C> c = consumers.get(consumer);
    if (c != null && c.leases()) {
      c.credit = window(messages);
      dispatch(now);
    }
    return end();
  }

  /** Long polling: lease up to {@code max} messages to the caller within {@code maxWait}. */
  Step<C, R> pull(int max, Duration maxWait, R replyTo, long now) {
    begin();
    if (polls.size() >= settings.maxWaitingPolls()) {
      out.reply(replyTo, new SubscriptionReply.Pulled(List.of()));
      return end();
    }
    polls.add(new WaitingPoll<>(replyTo, Math.max(1, max), settings.maxBatchBytes(),
        now + maxWait.toNanos()));
    dispatch(now);
    ensureTicking();
    return end();
  }

  // ---- inputs: acks ----

  /**
   * Sorts ack ids: leased, waiting or unproven offsets (and offsets an earlier incarnation may have
   * sent) are newly acknowledged; offsets already done are durable already; anything else is
   * unknown and ignored: ids this subscription did not mint (made up, altered, another
   * subscription's), and ids of a delivery attempt that has since been delivered again (a lease
   * that expired and went to another consumer). The answer waits for the write of what is new.
   */
  Step<C, R> ack(List<String> texts, R replyTo, long now) {
    begin();
    int newly = 0;
    List<String> durable = new ArrayList<>();
    Set<AckId> seen = new HashSet<>();
    for (String text : texts) {
      Optional<AckIdCodec.Leased> parsed = opened(text);
      if (parsed.isEmpty() || seen.contains(parsed.get().position())) {
        continue;
      }
      AckId id = parsed.get().position();
      PartitionLane<C> lane = lanes.get(id.partition());
      if (!state.position(id.partition()).isDone(id.offset())
          && !current(lane, parsed.get())) {
        continue; // an attempt delivered again since: the id of the newer one acks it
      }
      seen.add(id);
      long offset = id.offset();
      if (state.position(id.partition()).isDone(offset)) {
        // Done already. A lease or redelivery it still had would be repeated forever (an ack of
        // a done offset changes nothing durable): end it here.
        Lease<C> stale = lane.leases.get(offset);
        if (stale != null && !stale.deadLettering) {
          lane.removeLease(offset);
          release(stale);
        }
        lane.removePending(offset);
        lane.unproven.remove(offset);
        durable.add(text);
        continue;
      }
      Lease<C> lease = lane.leases.get(offset);
      if (lease != null && lease.deadLettering) {
        continue;
      }
      if (lease != null) {
        lane.removeLease(offset);
        release(lease);
        newly++;
      } else if (lane.removePending(offset) != null || lane.unproven.remove(offset)) {
        newly++;
      } else if (lane.ackedUnwritten.contains(offset)) {
        // Acked before; confirmed with the same write.
      } else if (offset >= lane.readPos && offset < lane.redeliverBelow) {
        newly++; // sent by an earlier incarnation, not read back yet: skipped when it is
      } else if (offset >= lane.readPos) {
        continue; // never delivered
      }
      lane.ackedUnwritten.add(offset);
      ledger.ack(id);
      durable.add(text);
    }
    forgetInPolls(seen);
    SubscriptionReply reply = new SubscriptionReply.AckResult(newly, durable);
    if (ledger.hasWrites()) {
      ledger.await(replyTo, reply);
      scheduleFlush();
    } else {
      out.reply(replyTo, reply);
    }
    dispatch(now);
    return end();
  }

  /** An ack id this subscription minted, naming one of its partitions; else empty. */
  private Optional<AckIdCodec.Leased> opened(String text) {
    return ackIds.open(text).filter(l -> l.position().partition() < lanes.size());
  }

  /**
   * Whether an ack id's attempt is still the message's latest: the attempt its lease holds; for a
   * message waiting to go again, the attempt it went with last (or a later one); for a message not
   * read back since a restart, at least the last attempt recorded before it.
   */
  private boolean current(PartitionLane<C> lane, AckIdCodec.Leased id) {
    long offset = id.position().offset();
    Lease<C> lease = lane.leases.get(offset);
    if (lease != null) {
      return lease.attempt == id.attempt();
    }
    Pending waiting = lane.pending.get(offset);
    if (waiting != null) {
      return id.attempt() >= waiting.attempt() - 1;
    }
    return id.attempt() >= state.position(lane.partition).recordedAttempt(offset);
  }

  /** Gives leased messages back, to be delivered again after {@code delay}. */
  Step<C, R> nack(List<String> ackIds, Duration delay, R replyTo, long now) {
    begin();
    long notBefore = delay.isZero() || delay.isNegative() ? Pending.NOW : now + delay.toNanos();
    if (notBefore != Pending.NOW && delayedCount() + ackIds.size() > settings.maxDelayedNacks()) {
      out.reply(replyTo, new SubscriptionReply.Overloaded(
          "this subscription holds " + delayedCount() + " nacked messages waiting out a delay, "
              + "at most " + settings.maxDelayedNacks() + "; nack fewer, or without a delay"));
      return end();
    }
    int count = 0;
    Set<AckId> ended = new HashSet<>();
    for (String text : ackIds) {
      Optional<AckIdCodec.Leased> id = opened(text);
      if (id.isEmpty()) {
        continue;
      }
      PartitionLane<C> lane = lanes.get(id.get().position().partition());
      Lease<C> lease = lane.leases.get(id.get().position().offset());
      if (lease != null && !lease.deadLettering && lease.attempt == id.get().attempt()) {
        ended.add(id.get().position());
        lane.removeLease(lease.message.offset());
        release(lease);
        giveBack(lane, lease.message, lease.attempt, notBefore);
        count++;
      }
    }
    forgetInPolls(ended);
    out.reply(replyTo, new SubscriptionReply.Nacked(count));
    dispatch(now);
    ensureTicking();
    return end();
  }

  /**
   * The dead-letter write of a message out of attempts finished ({@code failed}: try again, each
   * time twice as late, up to {@link #MAX_DEAD_LETTER_RETRY}; the message stays held meanwhile).
   */
  Step<C, R> deadLetterWritten(int partition, long offset, long leaseId, boolean failed, long now) {
    begin();
    Lease<C> lease = deadLettering(partition, offset, leaseId);
    if (lease != null && failed) {
      lease.deadLetterFailures++;
      out.start(
          new TimerKey.RetryDeadLetter(partition, offset, leaseId),
          deadLetterRetryDelay(lease.deadLetterFailures),
          false);
    } else if (lease != null) {
      PartitionLane<C> lane = lanes.get(partition);
      lane.removeLease(offset);
      lane.ackedUnwritten.add(offset);
      ledger.deadLetter(new AckId(partition, offset));
      scheduleFlush();
      dispatch(now);
    }
    return end();
  }

  // ---- inputs: the log ----

  /** A topic partition told its head (its next offset). */
  Step<C, R> headHeard(int partition, long nextOffset, long now) {
    begin();
    if (partition < lanes.size()) {
      lanes.get(partition).headHeard(nextOffset);
      if (resumeAwaitingHeads != null && allHeadsKnown()) {
        List<Long> positions = resumeAwaitingHeads;
        resumeAwaitingHeads = null;
        resumeAt(positions);
      }
      dispatch(now);
    }
    return end();
  }

  /** Messages just made durable on a partition (the fast path), and its new head. */
  Step<C, R> appended(int partition, List<StoredMessage> messages, long nextOffset, long now) {
    begin();
    if (partition < lanes.size()) {
      PartitionLane<C> lane = lanes.get(partition);
      lane.head = Math.max(lane.head, nextOffset);
      lane.offer(messages, settings.bufferPerPartition(), settings.bufferBytesPerPartition());
      dispatch(now);
    }
    return end();
  }

  /** A catch-up read of {@code [from, until)} returned these rows. */
  Step<C, R> loaded(
      int partition, int generation, long from, long until, List<StoredMessage> rows, long now) {
    return loaded(partition, generation, from, until, rows, Map.of(), now);
  }

  /**
   * A catch-up read of {@code [from, until)} returned these rows, and (if the read asked for it)
   * the newest offset in the log of each of their keys.
   */
  Step<C, R> loaded(
      int partition,
      int generation,
      long from,
      long until,
      List<StoredMessage> rows,
      Map<String, Long> newest,
      long now) {
    begin();
    if (partition < lanes.size() && lanes.get(partition).generation == generation) {
      lanes.get(partition).loaded(from, until, rows, newest);
      dispatch(now);
    }
    return end();
  }

  /** A catch-up read failed: try again after a pause. */
  Step<C, R> loadFailed(int partition, int generation, long now) {
    begin();
    if (partition < lanes.size() && lanes.get(partition).generation == generation) {
      lanes.get(partition).reading = false;
      out.start(new TimerKey.RetryRead(partition), settings.rewatchDelay(), false);
    }
    return end();
  }

  /** Moves the subscription to these positions (one per partition): replay or skip. */
  Step<C, R> seek(List<Long> positions, R replyTo, long now) {
    begin();
    if (positions.size() != state.partitions() && positions.size() != lanes.size()) {
      out.reply(replyTo, new SubscriptionReply.Invalid("to", "cursor does not fit topic"));
      return end();
    }
    seekTo(positions);
    out.reply(replyTo, new SubscriptionReply.Seeked(new Cursor(positions).encode(state.topicId())));
    dispatch(now);
    return end();
  }

  // ---- inputs: settings ----

  /**
   * New settings are in force from now on (a PATCH; the caller has validated them): the step
   * persists them. Delivery decisions read the settings as they are made, so a new policy, window
   * or deadline applies to the next message; leases granted before keep their deadline.
   */
  Step<C, R> changeSettings(SubscriptionSettings next, long now) {
    begin();
    record(new SubscriptionEvent.SettingsChanged(next));
    if (lagChecking) {
      lagChecking = false;
      ensureLagChecks();
    }
    dispatch(now);
    return end();
  }

  // ---- inputs: time ----

  /** A timer the core asked for is due. */
  Step<C, R> timer(TimerKey key, long now) {
    begin();
    if (key instanceof TimerKey.Tick) {
      tick(now);
    } else if (key instanceof TimerKey.FlushAcks) {
      flushAcks();
      dispatch(now);
    } else if (key instanceof TimerKey.FlushCommits) {
      flushAll();
    } else if (key instanceof TimerKey.PollFill) {
      pollFillArmed = false;
      dispatch(now);
    } else if (key instanceof TimerKey.DrainOver) {
      finish();
    } else if (key instanceof TimerKey.RetryRead) {
      dispatch(now);
    } else if (key instanceof TimerKey.WindowClock) {
      if (aggregation != null && !stopped && caughtUp()) {
        var closed = aggregation.tick(windows, wallClock.instant());
        if (!closed.rows().isEmpty()) {
          windows = closed.state();
          persistAggregate(state.aggregation().acceptedThrough(), closed.rows());
        }
        dispatch(now);
      }
    } else if (key instanceof TimerKey.LagCheck) {
      checkLag(now);
    } else if (key instanceof TimerKey.RetryDeadLetter r) {
      Lease<C> lease = deadLettering(r.partition(), r.offset(), r.leaseId());
      if (lease != null) {
        out.deadLetters.add(
            new Step.DeadLetter(r.partition(), r.offset(), r.leaseId(), lease.message,
                lease.attempt));
      }
    }
    return end();
  }

  /** Expires leases past their deadline, answers long polls whose wait is over, wakes delays. */
  private void tick(long now) {
    while (!leaseQueue.isEmpty()) {
      LeaseRef ref = leaseQueue.peek();
      PartitionLane<C> lane = lanes.get(ref.partition());
      Lease<C> lease = lane.leases.get(ref.offset());
      if (lease == null || lease.id != ref.leaseId() || lease.deadLettering
          || lease.deadline != ref.deadline()) {
        leaseQueue.poll();
        continue;
      }
      if (ref.deadline() - now > 0) {
        break;
      }
      leaseQueue.poll();
      lane.removeLease(ref.offset());
      release(lease);
      giveBack(lane, lease.message, lease.attempt, Pending.NOW);
    }
    for (Iterator<WaitingPoll<R>> it = polls.iterator(); it.hasNext(); ) {
      WaitingPoll<R> p = it.next();
      if (p.deadline - now <= 0) {
        it.remove();
        answer(p, now);
      }
    }
    dispatch(now);
    if (ticking && !needsTicking()) {
      ticking = false;
      out.cancelled.add(new TimerKey.Tick());
    }
  }

  // ---- what the shell may look at ----

  /** Leases outstanding, including messages being dead-lettered. */
  int inFlight() {
    int n = 0;
    for (PartitionLane<C> lane : lanes) {
      n += lane.leases.size();
    }
    return n;
  }

  /** Leases a stop must wait for: those of socket consumers, and dead-letter writes under way. */
  private int leasesToDrain() {
    int n = 0;
    for (PartitionLane<C> lane : lanes) {
      for (Lease<C> lease : lane.leases.values()) {
        if (lease.owner != null || lease.deadLettering) {
          n++;
        }
      }
    }
    return n;
  }

  /** Whether a passivation or hand-off is under way: this incarnation hands out nothing more. */
  boolean draining() {
    return draining;
  }

  /** Answers every waiting long poll now with what it holds, which may be nothing. */
  private void answerWaitingPolls(long now) {
    for (WaitingPoll<R> p : polls) {
      answer(p, now);
    }
    polls.clear();
  }

  /** Bytes every attached consumer holds against its cap, together. */
  long consumerBytes() {
    long sum = 0;
    for (AttachedConsumer<C> c : consumers.values()) {
      sum += c.bytes;
    }
    return sum;
  }

  /** Bytes every partition's read-ahead buffer holds, together. */
  long bufferedBytes() {
    long sum = 0;
    for (PartitionLane<C> lane : lanes) {
      sum += lane.bufferBytes;
    }
    return sum;
  }

  /** Bytes a partition's read-ahead buffer holds. */
  long bufferedBytes(int partition) {
    return lanes.get(partition).bufferBytes;
  }

  /** Bytes a consumer holds against the per-consumer cap; -1 if it is not attached. */
  long heldBytes(C consumer) {
    AttachedConsumer<C> c = consumers.get(consumer);
    return c == null ? -1 : c.bytes;
  }

  /** Unacknowledged messages a lease consumer holds; -1 if it is not attached. */
  int outstanding(C consumer) {
    AttachedConsumer<C> c = consumers.get(consumer);
    return c == null ? -1 : c.outstanding;
  }

  /** A lease consumer's window; -1 if it is not attached. */
  int windowOf(C consumer) {
    AttachedConsumer<C> c = consumers.get(consumer);
    return c == null ? -1 : c.credit;
  }

  boolean isStopped() {
    return stopped;
  }

  SubscriptionView view(String name, SubscriptionSettings shown, String node, Instant wallNow) {
    int inFlight = 0;
    List<Long> positions = new ArrayList<>();
    for (PartitionLane<C> lane : lanes) {
      positions.add(lane.readPos);
      inFlight += lane.leases.size();
    }
    return new SubscriptionView(
        name, shown, state.partitions(), state.createdAt(), positions, backlog(),
        lagSeconds(wallNow), inFlight, delivered, state.acked(), redelivered,
        state.deadLettered(), skipped(), consumers.size() + polls.size(), node,
        new Cursor(positions.subList(0, state.partitions())).encode(state.topicId()),
        windows == null ? null : windows.late());
  }

  /** Messages not delivered yet: ahead of first delivery, or waiting to come again. */
  long backlog() {
    long backlog = 0;
    for (PartitionLane<C> lane : lanes) {
      backlog += lane.backlog(state.position(lane.partition));
    }
    return backlog;
  }

  /** Age of the oldest message not delivered yet, by its publish time; 0 when there is none. */
  double lagSeconds(Instant wallNow) {
    Instant oldest = oldestUndelivered();
    return oldest == null ? 0.0 : Math.max(0, Duration.between(oldest, wallNow).toMillis() / 1000.0);
  }

  /** Publish time of the oldest message not delivered yet (what lag is measured from), or null. */
  Instant oldestUndelivered() {
    Instant oldest = null;
    for (PartitionLane<C> lane : lanes) {
      Instant o = lane.oldestUndelivered();
      if (o != null && (oldest == null || o.isBefore(oldest))) {
        oldest = o;
      }
    }
    return oldest;
  }

  /** Long polls waiting for messages. */
  int waitingPolls() {
    return polls.size();
  }

  /** What the overflow policy has passed over, written or not. */
  long skipped() {
    return state.skipped() + ledgerSkipsCounted;
  }

  // ---- delivery ----

  /**
   * Hands messages to consumers and long polls with room, round-robin over partitions and takers,
   * within each socket's window and the subscription's maxInFlight (leases only: a cursor
   * consumer's unproven deliveries do not count, or SSE would be capped by the proof delay).
   */
  private void dispatch(long now) {
    if (stopped) {
      return;
    }
    if (draining) {
      if (leasesToDrain() == 0) {
        finish();
      }
      return;
    }
    if (query.holdsDelivery() || resumeAwaitingHeads != null
        || (rowLane >= 0 && aggregation == null)) {
      return;
    }
    aggregate();
    dropOldest();
    readAll();
    if (idle()) {
      return;
    }
    List<Taker> ring = new ArrayList<>(consumers.size() + polls.size());
    ring.addAll(consumers.values());
    ring.addAll(polls);
    long deadline = now + state.settings().ackDeadline().toNanos();
    int maxInFlight = state.settings().maxInFlight();
    int leased = inFlight();
    int turn = 0;
    int idleRounds = 0;
    while (idleRounds < ring.size()) {
      Taker taker = ring.get(turn % ring.size());
      turn++;
      int room = taker.leases() ? Math.min(taker.room(), maxInFlight - leased) : taker.room();
      if (room <= 0) {
        idleRounds++;
        continue;
      }
      Candidate next = nextCandidate(now);
      if (next == null) {
        break;
      }
      idleRounds = 0;
      StoredMessage m = next.message();
      PartitionLane<C> lane = lanes.get(m.partition());
      if (next.attempt() > state.settings().maxDeliveries()) {
        // Recorded attempts of an earlier incarnation used them all up.
        deadLetter(lane, m, next.attempt() - 1);
        leased = inFlight();
        continue;
      }
      DeliveryRecord record = record(next);
      if (next.attempt() > 1) {
        attemptMarks.add(new AttemptMark(m.partition(), m.offset(), next.attempt()));
      }
      if (taker instanceof AttachedConsumer<?> any && !any.leases()) {
        AttachedConsumer<C> c = cast(any);
        c.credit--;
        c.unproven.add(next);
        lane.unproven.add(m.offset());
        Delivery delivery = new Delivery(record, cursor());
        c.sent(delivery.wireSize());
        out.send(c.ref, delivery);
        continue;
      }
      C owner = null;
      long leaseBytes = 0;
      if (taker instanceof AttachedConsumer<?> any) {
        AttachedConsumer<C> c = cast(any);
        c.outstanding++;
        leaseBytes = m.wireSize();
        c.bytes += leaseBytes;
        owner = c.ref;
        out.send(c.ref, new Delivery(record, null));
      } else {
        ((WaitingPoll<?>) taker).take(record);
      }
      Lease<C> lease = new Lease<>(m, next.attempt(), owner, deadline, ++leaseSeq);
      lease.ownerBytes = leaseBytes;
      lane.addLease(lease);
      leaseQueue.add(new LeaseRef(lane.partition, m.offset(), lease.id, deadline));
      leased++;
    }
    answerPolls(now);
    readAll();
    ensureTicking();
  }

  @SuppressWarnings("unchecked")
  private AttachedConsumer<C> cast(AttachedConsumer<?> c) {
    return (AttachedConsumer<C>) c;
  }

  private Candidate nextCandidate(long now) {
    int cap = settings.bufferPerPartition();
    boolean conflate = state.settings().conflates();
    for (int i = 0; i < lanes.size(); i++) {
      PartitionLane<C> lane = lanes.get((nextPartition + i) % lanes.size());
      if (rowLane >= 0 && lane.partition != rowLane) {
        continue; // an aggregation delivers rows only; its messages wait to be accepted
      }
      long snapshotUntil = state.snapshotUntil(lane.partition);
      Candidate c = lane.next(now, state.position(lane.partition), cap, conflate, snapshotUntil);
      // Passing over messages (a snapshot, conflation) can use up a reservation with nothing
      // sent: reserve again until something is found or the buffer is used up.
      while (c == null && lane.needsReservation(state.position(lane.partition))) {
        reserve(lane);
        c = lane.next(now, state.position(lane.partition), cap, conflate, snapshotUntil);
      }
      collectSkips(lane);
      if (c != null) {
        nextPartition = (lane.partition + 1) % lanes.size();
        return c;
      }
    }
    return null;
  }

  /**
   * Drop-oldest: when more than {@code maxBacklog} messages wait for their first delivery (over all
   * partitions), first delivery skips ahead until exactly that many wait. The partitions furthest
   * behind give way first (down to a common level), so the oldest messages go.
   */
  private void dropOldest() {
    if (!state.settings().dropsOldest()) {
      return;
    }
    if (rowLane >= 0) {
      // An aggregation accepts every message: only its rows give way.
      PartitionLane<C> rows = lanes.get(rowLane);
      PartitionPosition pos = state.position(rowLane);
      long excess = rows.undelivered(pos) - state.settings().maxBacklog();
      if (excess > 0) {
        rows.skipUndelivered(excess, pos);
        collectSkips(rows);
      }
      return;
    }
    long max = state.settings().maxBacklog();
    long total = 0;
    long top = 0;
    for (PartitionLane<C> lane : lanes) {
      long undelivered = lane.undelivered(state.position(lane.partition));
      total += undelivered;
      top = Math.max(top, undelivered);
    }
    long excess = total - max;
    if (excess <= 0) {
      return;
    }
    // The lowest level L at which cutting every lane down to L removes no more than the excess.
    long lo = 0;
    long hi = top;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (cutDownTo(mid) <= excess) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    long level = lo;
    long extra = excess - cutDownTo(level);
    for (PartitionLane<C> lane : lanes) {
      PartitionPosition pos = state.position(lane.partition);
      long undelivered = lane.undelivered(pos);
      long cut = Math.max(0, undelivered - level);
      if (extra > 0 && undelivered >= level && level > 0) {
        cut++;
        extra--;
      }
      if (cut > 0) {
        lane.skipUndelivered(cut, pos);
        collectSkips(lane);
      }
    }
  }

  private long cutDownTo(long level) {
    long cut = 0;
    for (PartitionLane<C> lane : lanes) {
      cut += Math.max(0, lane.undelivered(state.position(lane.partition)) - level);
    }
    return cut;
  }

  /** Moves what a lane passed over into the ledger, to be written with the next ack write. */
  private void collectSkips(PartitionLane<C> lane) {
    if (lane.skippedOut.isEmpty() && lane.filteredOut.isEmpty()) {
      return;
    }
    for (OffsetSpan span : lane.skippedOut) {
      ledger.skip(span, true);
      ledgerSkipsCounted += span.until() - span.from();
    }
    for (OffsetSpan span : lane.filteredOut) {
      ledger.skip(span, false);
    }
    lane.skippedOut.clear();
    lane.filteredOut.clear();
    scheduleFlush();
  }

  /**
   * Moves a partition's reservation mark ahead of its read position. Ahead of the head on
   * purpose: live delivery then persists one reservation per reserve-ahead messages, not one per
   * append. Offsets reserved but never sent are only marked as possible repeats, which they are
   * not; clients deduplicate by id. The step writes the marks before anything is sent.
   */
  private void reserve(PartitionLane<C> lane) {
    List<Long> marks = new ArrayList<>(lanes.size());
    for (int p = 0; p < lanes.size(); p++) {
      long reserved = state.position(p).reserved();
      marks.add(p == lane.partition ? Math.max(reserved, lane.readPos + settings.reserveAhead())
          : reserved);
    }
    state = state.reserved(new SubscriptionEvent.DeliveryReserved(marks));
    reservationMoved = true;
  }

  private DeliveryRecord record(Candidate c) {
    StoredMessage m = c.message();
    delivered++;
    if (c.attempt() > 1) {
      redelivered++;
    }
    return new DeliveryRecord(
        ackIds.mint(m.partition(), m.offset(), c.attempt()), m.id(), state.topic(), m.partition(),
        m.offset(), m.key(), m.publishTime(), m.attributes(), m.data(), c.attempt());
  }

  /** The stream position after what has been read so far: a cursor consumer's resume point. */
  private String cursor() {
    List<Long> positions = new ArrayList<>(lanes.size());
    for (PartitionLane<C> l : lanes) {
      positions.add(l.readPos);
    }
    return new Cursor(positions).encode(state.topicId());
  }

  /**
   * Answers long polls that are full, or that hold something and have waited long enough for a
   * running (or due) catch-up read to fill them.
   */
  private void answerPolls(long now) {
    boolean fillable = false;
    for (PartitionLane<C> lane : lanes) {
      fillable |= lane.reading || lane.bufferEnd() < lane.head;
    }
    boolean held = false;
    for (Iterator<WaitingPoll<R>> it = polls.iterator(); it.hasNext(); ) {
      WaitingPoll<R> p = it.next();
      if (p.taken().isEmpty()) {
        continue;
      }
      if (p.room() > 0) {
        if (p.fillBy == WaitingPoll.NOT_SET) {
          p.fillBy = now + settings.pollFillWait().toNanos();
        }
        if (fillable && p.fillBy - now > 0) {
          held = true;
          continue;
        }
      }
      it.remove();
      answer(p, now);
    }
    if (held && !pollFillArmed) {
      pollFillArmed = true;
      out.start(new TimerKey.PollFill(), settings.pollFillWait(), false);
    }
  }

  /**
   * Answers a long poll. Its messages were leased when it took them, but the client has them only
   * now: their ack deadline starts over from here, so a poll held for filling costs no ack time.
   */
  private void answer(WaitingPoll<R> p, long now) {
    long deadline = now + state.settings().ackDeadline().toNanos();
    for (DeliveryRecord r : p.taken()) {
      Lease<C> lease = lanes.get(r.partition()).leases.get(r.offset());
      if (lease != null && lease.owner == null && !lease.deadLettering) {
        lease.deadline = deadline;
        leaseQueue.add(new LeaseRef(r.partition(), r.offset(), lease.id, deadline));
      }
    }
    out.reply(p.replyTo, new SubscriptionReply.Pulled(p.taken()));
  }

  /** Starts catch-up reads where buffers run low. */
  private void readAll() {
    int need = 0;
    for (WaitingPoll<R> p : polls) {
      need = Math.max(need, p.room());
    }
    for (PartitionLane<C> lane : lanes) {
      readIfBehind(lane, need);
    }
  }

  /**
   * Starts a catch-up read when the lane's buffer runs low. Without consumers a lane holds just
   * its next message (enough to report lag), so idle subscriptions cost little memory. A page
   * (and the buffer) grows to the largest waiting long poll, so a poll with a backlog is full. The
   * buffer is bounded in bytes as well ({@code buffer-bytes-per-partition}): a read asks for as
   * many messages as fit by the lane's typical message size.
   */
  private void readIfBehind(PartitionLane<C> lane, int need) {
    boolean aggregated = rowLane >= 0 && lane.partition != rowLane;
    int capacity =
        idle() && !aggregated ? 1 : Math.max(settings.bufferPerPartition(), need);
    int page = Math.min(Math.max(settings.readPage(), need), capacity);
    int room = capacity - lane.buffer.size();
    long bytesRoom = settings.bufferBytesPerPartition() - lane.bufferBytes;
    if (lane.reading || lane.bufferEnd() >= lane.head || room < Math.max(1, page / 2)
        || (bytesRoom <= 0 && !lane.buffer.isEmpty())) {
      return;
    }
    // Bounded in bytes too: large messages are read a few at a time.
    int limit = Math.min(Math.min(page, room), lane.messagesWithin(bytesRoom));
    long from = lane.bufferEnd();
    if (lane.partition == rowLane) {
      // The row lane's log is the persisted rows: read at once, in memory.
      long until = Math.min(lane.head, from + limit);
      lane.loaded(from, until, rowMessages(state.aggregation().rows(from, until)));
      return;
    }
    lane.reading = true;
    boolean newest =
        state.settings().conflates() || from < state.snapshotUntil(lane.partition);
    out.reads.add(
        new Step.Read(lane.partition, lane.generation, from, Math.min(lane.head, from + limit),
            limit, newest));
  }

  /**
   * A long poll held for filling may hold a delivery whose lease an ack or nack just ended (the
   * client had it from an earlier delivery): it is no longer the poll's to return.
   */
  private void forgetInPolls(Set<AckId> ended) {
    if (polls.isEmpty() || ended.isEmpty()) {
      return;
    }
    for (WaitingPoll<R> p : polls) {
      p.forget(r -> ended.contains(new AckId(r.partition(), r.offset()))
          && !leasedNow(r.partition(), r.offset()));
    }
  }

  private boolean leasedNow(int partition, long offset) {
    return lanes.get(partition).leases.containsKey(offset);
  }

  // ---- giving back ----

  /** Forgets a consumer, giving back its leases and unproven deliveries for redelivery now. */
  private void drop(C consumer) {
    AttachedConsumer<C> gone = consumers.remove(consumer);
    if (gone == null) {
      return;
    }
    if (!gone.leases()) {
      for (Candidate c : gone.unproven) {
        PartitionLane<C> lane = lanes.get(c.message().partition());
        if (lane.unproven.remove(c.message().offset())) {
          giveBack(lane, c.message(), c.attempt(), Pending.NOW);
        }
      }
      gone.unproven.clear();
      return;
    }
    for (PartitionLane<C> lane : lanes) {
      for (Lease<C> lease : List.copyOf(lane.leases.values())) {
        if (consumer.equals(lease.owner) && !lease.deadLettering) {
          lane.removeLease(lease.message.offset());
          giveBack(lane, lease.message, lease.attempt, Pending.NOW);
        }
      }
    }
  }

  /**
   * A delivery ended without being done (nack, expiry, consumer gone): the message waits to be
   * delivered again, or goes to the dead letters once it has had {@code maxDeliveries} attempts.
   */
  private void giveBack(PartitionLane<C> lane, StoredMessage m, int attempt, long notBefore) {
    if (lane.isDone(state.position(lane.partition), m.offset())) {
      return;
    }
    if (attempt < state.settings().maxDeliveries()) {
      lane.addPending(new Pending(m, attempt + 1, notBefore));
    } else {
      deadLetter(lane, m, attempt);
    }
  }

  private void deadLetter(PartitionLane<C> lane, StoredMessage m, int attempts) {
    if (state.settings().deadLetterTopic() == null) {
      lane.ackedUnwritten.add(m.offset());
      ledger.deadLetter(new AckId(lane.partition, m.offset()));
      scheduleFlush();
      return;
    }
    Lease<C> lease = new Lease<>(m, attempts, null, 0, ++leaseSeq);
    lease.deadLettering = true;
    lane.addLease(lease);
    out.deadLetters.add(
        new Step.DeadLetter(lane.partition, m.offset(), lease.id, m, attempts));
  }

  /** The longest wait before a failed dead-letter write is tried again. */
  static final java.time.Duration MAX_DEAD_LETTER_RETRY = java.time.Duration.ofSeconds(30);

  /** {@code rewatch-delay} after the first failure, doubling with each one after it. */
  java.time.Duration deadLetterRetryDelay(int failures) {
    java.time.Duration delay = settings.rewatchDelay();
    for (int i = 1; i < failures && delay.compareTo(MAX_DEAD_LETTER_RETRY) < 0; i++) {
      delay = delay.multipliedBy(2);
    }
    return delay.compareTo(MAX_DEAD_LETTER_RETRY) > 0 ? MAX_DEAD_LETTER_RETRY : delay;
  }

  private Lease<C> deadLettering(int partition, long offset, long leaseId) {
    if (partition >= lanes.size()) {
      return null;
    }
    Lease<C> lease = lanes.get(partition).leases.get(offset);
    return lease != null && lease.id == leaseId && lease.deadLettering ? lease : null;
  }

  private void release(Lease<C> lease) {
    AttachedConsumer<C> owner = lease.owner == null ? null : consumers.get(lease.owner);
    if (owner != null) {
      owner.outstanding--;
      owner.bytes -= lease.ownerBytes;
    }
  }

  // ---- aggregation ----

  /**
   * Accepts every buffered message of the topic lanes into the windows, once: a message below
   * the persisted {@code acceptedThrough} (read again after a restart) only moves the lane on.
   * Accepted offsets are passed over like filtered ones; the step's Aggregated event, written
   * before the skips, holds the windows and the rows of the windows that closed.
   */
  private void aggregate() {
    if (aggregation == null) {
      return;
    }
    List<Long> accepted = new ArrayList<>(state.aggregation().acceptedThrough());
    List<ResultRow> rows = new ArrayList<>();
    boolean moved = false;
    int room = settings.maxPendingRows() - state.aggregation().rows().size();
    for (int p = 0; p < rowLane; p++) {
      PartitionLane<C> lane = lanes.get(p);
      // Rows not acked hold back what is accepted (backpressure into the topic's log).
      while (!lane.buffer.isEmpty() && rows.size() < room) {
        StoredMessage m = lane.takeHead();
        if (m.offset() >= accepted.get(p)) {
          var step = aggregation.accept(windows, QueryMessage.of(m));
          windows = step.state();
          rows.addAll(step.rows());
          accepted.set(p, m.offset() + 1);
          moved = true;
        }
        lane.filteredOut.add(new OffsetSpan(p, m.offset(), m.offset() + 1));
      }
    }
    if (moved) {
      persistAggregate(accepted, rows);
    }
    for (int p = 0; p < rowLane; p++) {
      collectSkips(lanes.get(p));
    }
  }

  /**
   * Whether every topic partition's head is known and accepted up to it. Only then may wall time
   * close windows: while catching up on the log (after a restart, a move, an idle stop, or from
   * earliest) the watermark closes them, so the messages already in the log are never late and a
   * replay gives the same rows.
   */
  private boolean caughtUp() {
    for (int p = 0; p < rowLane; p++) {
      PartitionLane<C> lane = lanes.get(p);
      if (!lane.headKnown || lane.readPos < lane.head) {
        return false;
      }
    }
    return true;
  }

  /** Records the windows and appends the closed windows' rows to the row lane. */
  private void persistAggregate(List<Long> accepted, List<ResultRow> closed) {
    long seq = state.aggregation().nextRow();
    List<AggregateRow> rows = new ArrayList<>(closed.size());
    for (ResultRow r : closed) {
      rows.add(new AggregateRow(seq++, r.windowStart(), r.windowEnd(), r.data()));
    }
    record(new SubscriptionEvent.Aggregated(accepted, windows.toJson(), rows));
    if (!rows.isEmpty()) {
      PartitionLane<C> lane = lanes.get(rowLane);
      lane.headHeard(seq);
      lane.offer(rowMessages(rows), settings.bufferPerPartition(),
          settings.bufferBytesPerPartition());
    }
  }

  /**
   * Rows as the row lane's messages: offset is the row's seq, publishTime its window's end, and
   * the id names the subscription's topic incarnation and the seq, the same on every delivery.
   */
  private List<StoredMessage> rowMessages(List<AggregateRow> rows) {
    List<StoredMessage> out = new ArrayList<>(rows.size());
    for (AggregateRow r : rows) {
      out.add(new StoredMessage(
          "agg-" + state.topicId() + "-" + r.seq(), null, rowLane, r.seq(), r.windowEnd(),
          Map.of(), r.data()));
    }
    return out;
  }

  // ---- writes ----

  /**
   * Moves to a client's resume cursor, held to {@code [0, head]} of each partition: a cursor past
   * a partition's end would skip the messages published there next. Until every head has been
   * heard (just after a start) the move waits, and nothing is delivered.
   */
  private void resumeAt(List<Long> positions) {
    if (!allHeadsKnown()) {
      resumeAwaitingHeads = positions;
      return;
    }
    List<Long> heads = new ArrayList<>(lanes.size());
    for (PartitionLane<C> lane : lanes) {
      heads.add(lane.head);
    }
    seekTo(new Cursor(positions).clampedTo(heads).positions());
  }

  private boolean allHeadsKnown() {
    for (PartitionLane<C> lane : lanes) {
      if (!lane.headKnown) {
        return false;
      }
    }
    return true;
  }

  private void seekTo(List<Long> requested) {
    resumeAwaitingHeads = null;
    List<Long> positions = new ArrayList<>(requested);
    if (rowLane >= 0) {
      // Rows below the row lane's commit point are gone: it never moves below it.
      long committed = state.position(rowLane).committed();
      if (positions.size() == rowLane) {
        positions.add(committed);
      } else {
        positions.set(rowLane, Math.max(committed, positions.get(rowLane)));
      }
    }
    writeSkips();
    record(new SubscriptionEvent.Seeked(positions));
    ledger.commitDue = false;
    for (PartitionLane<C> lane : lanes) {
      PartitionPosition pos = state.position(lane.partition);
      lane.resetTo(pos.committed(), pos.reserved());
    }
    leaseQueue.clear();
    for (AttachedConsumer<C> c : consumers.values()) {
      c.outstanding = 0;
      c.unproven.clear();
      if (c.leases()) {
        // Its leases are gone. A cursor consumer's sent deliveries still go out (the edge reports
        // them with its Demand), so what it holds stays counted.
        c.clearBytes();
      }
    }
  }

  /**
   * Acks wait up to the ack linger before they are written, so a busy subscription writes one
   * event per linger rather than one per consumer round trip.
   */
  private void scheduleFlush() {
    if (settings.ackLinger().isZero()) {
      flushAcks();
    } else if (!ledger.flushScheduled) {
      ledger.flushScheduled = true;
      out.start(new TimerKey.FlushAcks(), settings.ackLinger(), false);
    }
  }

  /** Writes every gathered ack and dead letter, then answers the acks waiting for them. */
  private void flushAcks() {
    ledger.flushScheduled = false;
    ledgerSkipsCounted = 0;
    ledger.drain(counters()).forEach(this::record);
    lanes.forEach(l -> l.ackedUnwritten.clear());
    out.replies.addAll(ledger.takeWaiters());
  }

  /**
   * Commits proven cursor progress: each partition up to its lowest offset still owed to someone;
   * proven offsets above that are recorded as acks. Gathered acks go in the same write.
   */
  private void flushAll() {
    writeSkips();
    if (ledger.commitDue) {
      ledger.commitDue = false;
      List<Long> points = new ArrayList<>(lanes.size());
      List<AckId> above = new ArrayList<>();
      boolean moved = false;
      for (PartitionLane<C> lane : lanes) {
        long point = lane.commitPoint();
        points.add(point);
        moved |= point > state.position(lane.partition).committed();
        for (long offset : lane.proven.tailSet(point)) {
          above.add(new AckId(lane.partition, offset));
        }
        lane.proven.clear();
      }
      if (moved) {
        record(new SubscriptionEvent.Committed(points, counters()));
      }
      if (!above.isEmpty()) {
        record(new SubscriptionEvent.Acked(OffsetSpan.of(above), counters()));
      }
    }
    flushAcks();
  }

  /** Writes the gathered skips now (before a commit or a seek that must not count or undo them). */
  private void writeSkips() {
    ledgerSkipsCounted = 0;
    ledger.drainSkips(counters()).forEach(this::record);
  }

  // ---- lag notices ----

  /** Lag is looked at while consumers are attached, at least every lagWarning. */
  private void ensureLagChecks() {
    if (!lagChecking && !consumers.isEmpty()) {
      lagChecking = true;
      Duration warning = state.settings().lagWarning();
      Duration every =
          warning.compareTo(settings.lagCheckInterval()) < 0 ? warning : settings.lagCheckInterval();
      out.start(new TimerKey.LagCheck(), every, true);
    }
  }

  /**
   * Tells each attached consumer that the subscription lags once its oldest undelivered message is
   * older than lagWarning (again at most once per lagWarning while it does), and once that it is
   * back under.
   */
  private void checkLag(long now) {
    if (consumers.isEmpty()) {
      lagChecking = false;
      out.cancelled.add(new TimerKey.LagCheck());
      return;
    }
    long warning = state.settings().lagWarning().toNanos();
    double lag = lagSeconds(wallClock.instant());
    boolean over = lag * 1e9 > warning;
    ConsumerMessage.Lag notice = null;
    for (AttachedConsumer<C> c : consumers.values()) {
      boolean due = over && (!c.lagging || now - c.lastLagNotice >= warning);
      if (due || (!over && c.lagging)) {
        if (notice == null) {
          notice = new ConsumerMessage.Lag(backlog(), lag, skipped(), !over);
        }
        c.lagging = over;
        if (over) {
          c.lastLagNotice = now;
        }
        out.notices.add(new Step.Notice<>(c.ref, notice));
      }
    }
  }

  private void finish() {
    // Polls that came while draining hold nothing (nothing is handed out): they poll again.
    polls.forEach(p -> out.reply(p.replyTo, new SubscriptionReply.Pulled(p.taken())));
    polls.clear();
    flushAll();
    out.stop = true;
    stopped = true;
  }

  private void record(SubscriptionEvent event) {
    state = state.apply(event);
    out.events.add(event);
  }

  private DeliveryCounters counters() {
    return new DeliveryCounters(delivered, redelivered);
  }

  // ---- small things ----

  private int window(int requested) {
    int w = requested == SubscriptionCommand.Attach.DEFAULT_WINDOW
        ? state.settings().maxInFlight() : requested;
    return Math.max(0, Math.min(w, SubscriptionSettings.MAX_IN_FLIGHT_LIMIT));
  }

  private boolean idle() {
    return consumers.isEmpty() && polls.isEmpty();
  }

  /** Nacked messages waiting out a delay, over all partitions. */
  int delayedCount() {
    int count = 0;
    for (PartitionLane<C> lane : lanes) {
      count += lane.delayedCount();
    }
    return count;
  }

  /** Whether a timer must look again: leases, delayed redeliveries or waiting polls. */
  private boolean needsTicking() {
    if (!polls.isEmpty() || !leaseQueue.isEmpty()) {
      return true;
    }
    for (PartitionLane<C> lane : lanes) {
      if (lane.hasDelayedPending()) {
        return true;
      }
    }
    return false;
  }

  private void ensureTicking() {
    if (!ticking && needsTicking()) {
      ticking = true;
      out.start(new TimerKey.Tick(), settings.leaseCheckInterval(), true);
    }
  }

  private void begin() {
    out = new Step.Builder<>(settings.maxBatchBytes());
  }

  /** Closes the step: the moved reservation marks and recorded attempts go first to the journal. */
  private Step<C, R> end() {
    List<SubscriptionEvent> first = new ArrayList<>(2);
    if (reservationMoved) {
      reservationMoved = false;
      List<Long> marks = new ArrayList<>(lanes.size());
      for (int p = 0; p < lanes.size(); p++) {
        marks.add(state.position(p).reserved());
      }
      first.add(new SubscriptionEvent.DeliveryReserved(marks));
    }
    if (!attemptMarks.isEmpty()) {
      var recorded = new SubscriptionEvent.AttemptsRecorded(attemptMarks);
      state = state.attemptsRecorded(recorded);
      first.add(recorded);
      attemptMarks.clear();
    }
    out.events.addAll(0, first);
    Step<C, R> step = out.build();
    out = null;
    return step;
  }
}
