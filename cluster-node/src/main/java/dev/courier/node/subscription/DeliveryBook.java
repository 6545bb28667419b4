package dev.courier.node.subscription;

import dev.courier.protocol.subscription.AckId;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Cursor;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.SubscriptionSettings;
import dev.courier.protocol.subscription.SubscriptionView;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The memory-only side of a subscription's delivery: its partition lanes, the consumers and long
 * polls it hands messages to, and the leases they hold. Decides who gets what; the entity around it
 * persists, sends and keeps time. Actor-confined.
 */
final class DeliveryBook {

  /** A lease in deadline order (leases are granted in time order with one ack deadline). */
  private record LeaseRef(int partition, long offset, long leaseId) {}

  /** What one round of delivery produced. */
  record Outbox(
      Map<ActorRef<ConsumerMessage>, List<Delivery>> deliveries,
      List<WaitingPoll> answered,
      boolean leased,
      boolean cursorWritten) {}

  /**
   * How one ack request came out: {@code newly} acknowledged now, {@code durable} ids to confirm
   * once {@code toPersist} is written.
   */
  record AckOutcome(int newly, List<String> durable, List<AckId> toPersist) {}

  /** A lease that ended without an ack, already taken off its lane and its owner. */
  record Ended(PartitionLane lane, Lease lease) {}

  final List<PartitionLane> lanes = new ArrayList<>();
  final LinkedHashMap<ActorRef<ConsumerMessage>, AttachedConsumer> consumers =
      new LinkedHashMap<>();
  final List<WaitingPoll> polls = new ArrayList<>();
  private final ArrayDeque<LeaseRef> leaseQueue = new ArrayDeque<>();
  private final int pendingCap;
  long delivered;
  long redelivered;
  private long leaseSeq;
  private int nextPartition;

  DeliveryBook(int pendingCap) {
    this.pendingCap = pendingCap;
  }

  void start(SubscriptionState state) {
    lanes.clear();
    for (int p = 0; p < state.partitions(); p++) {
      PartitionPosition pos = state.position(p);
      lanes.add(
          new PartitionLane(p, state.settings().ordered(), pos.committed(), pos.reserved()));
    }
    delivered = state.counters().delivered();
    redelivered = state.counters().redelivered();
  }

  void stop() {
    lanes.clear();
    consumers.clear();
    polls.clear();
    leaseQueue.clear();
  }

  /** Leases outstanding, including messages being dead-lettered. */
  int inFlight() {
    int n = 0;
    for (PartitionLane lane : lanes) {
      n += lane.leases.size();
    }
    return n;
  }

  boolean idle() {
    return consumers.isEmpty() && polls.isEmpty();
  }

  Optional<PartitionLane> lane(AckId id) {
    return id.partition() < lanes.size() ? Optional.of(lanes.get(id.partition())) : Optional.empty();
  }

  // ---- consumers ----

  /** Adds a consumer; false if it was attached already. */
  boolean attach(ActorRef<ConsumerMessage> ref, ConsumerMode mode, String streamId, int credit) {
    if (consumers.containsKey(ref)) {
      return false;
    }
    consumers.put(ref, new AttachedConsumer(ref, mode, streamId, Math.max(0, credit)));
    return true;
  }

  /** Earlier attachments of the same client stream. */
  List<ActorRef<ConsumerMessage>> sameStream(String streamId, ActorRef<ConsumerMessage> newer) {
    return consumers.values().stream()
        .filter(c -> streamId.equals(c.streamId) && !c.ref.equals(newer))
        .map(c -> c.ref)
        .toList();
  }

  /** Forgets a consumer; returns the leases it held, ended. */
  List<Ended> detach(ActorRef<ConsumerMessage> ref) {
    AttachedConsumer gone = consumers.remove(ref);
    List<Ended> ended = new ArrayList<>();
    if (gone == null || !gone.leases()) {
      return ended;
    }
    for (PartitionLane lane : lanes) {
      for (Lease lease : List.copyOf(lane.leases.values())) {
        if (ref.equals(lease.owner) && !lease.deadLettering) {
          lane.removeLease(lease.message.offset());
          ended.add(new Ended(lane, lease));
        }
      }
    }
    return ended;
  }

  void demand(ActorRef<ConsumerMessage> ref, int credit) {
    AttachedConsumer c = consumers.get(ref);
    if (c != null && !c.leases()) {
      c.credit += Math.max(0, credit);
    }
  }

  void window(ActorRef<ConsumerMessage> ref, int messages) {
    AttachedConsumer c = consumers.get(ref);
    if (c != null && c.leases()) {
      c.credit = Math.max(0, Math.min(messages, SubscriptionSettings.MAX_IN_FLIGHT_LIMIT));
    }
  }

  // ---- delivery ----

  /** Hands messages to takers with room, round-robin over partitions and takers. */
  Outbox dispatch(SubscriptionState state, long now) {
    Map<ActorRef<ConsumerMessage>, List<Delivery>> out = new HashMap<>();
    List<Taker> ring = new ArrayList<>(consumers.size() + polls.size());
    ring.addAll(consumers.values());
    ring.addAll(polls);
    long deadline = now + state.settings().ackDeadline().toNanos();
    boolean leased = false;
    boolean cursorWritten = false;
    int turn = 0;
    int idleRounds = 0;
    while (idleRounds < ring.size()) {
      Taker taker = ring.get(turn % ring.size());
      turn++;
      if (taker.room() <= 0) {
        idleRounds++;
        continue;
      }
      Candidate next = nextCandidate(state, now);
      if (next == null) {
        break;
      }
      idleRounds = 0;
      PartitionLane lane = lanes.get(next.message().partition());
      DeliveryRecord record = record(state, next);
      if (taker instanceof AttachedConsumer c && !c.leases()) {
        c.credit--;
        lane.cursorDelivered(next.message().offset());
        cursorWritten = true;
        out.computeIfAbsent(c.ref, k -> new ArrayList<>()).add(new Delivery(record, cursor()));
        continue;
      }
      ActorRef<ConsumerMessage> owner = null;
      if (taker instanceof AttachedConsumer c) {
        c.outstanding++;
        owner = c.ref;
        out.computeIfAbsent(c.ref, k -> new ArrayList<>()).add(new Delivery(record, null));
      } else {
        ((WaitingPoll) taker).taken.add(record);
      }
      Lease lease = new Lease(next.message(), next.attempt(), owner, deadline, ++leaseSeq);
      lane.addLease(lease);
      leaseQueue.add(new LeaseRef(lane.partition, next.message().offset(), lease.id));
      leased = true;
    }
    List<WaitingPoll> answered = new ArrayList<>();
    polls.removeIf(
        p -> {
          if (p.taken.isEmpty()) {
            return false;
          }
          answered.add(p);
          return true;
        });
    return new Outbox(out, answered, leased, cursorWritten);
  }

  private Candidate nextCandidate(SubscriptionState state, long now) {
    for (int i = 0; i < lanes.size(); i++) {
      PartitionLane lane = lanes.get((nextPartition + i) % lanes.size());
      Candidate c = lane.next(now, state.position(lane.partition), pendingCap);
      if (c != null) {
        nextPartition = (lane.partition + 1) % lanes.size();
        return c;
      }
    }
    return null;
  }

  private DeliveryRecord record(SubscriptionState state, Candidate c) {
    StoredMessage m = c.message();
    delivered++;
    if (c.attempt() > 1) {
      redelivered++;
    }
    return new DeliveryRecord(
        new AckId(m.partition(), m.offset()).encode(),
        m.id(),
        state.topic(),
        m.partition(),
        m.offset(),
        m.key(),
        m.publishTime(),
        m.attributes(),
        m.data(),
        c.attempt());
  }

  /** The stream position after what has been read so far: a cursor consumer's resume point. */
  private String cursor() {
    List<Long> positions = new ArrayList<>(lanes.size());
    for (PartitionLane l : lanes) {
      positions.add(l.readPos);
    }
    return new Cursor(positions).encode();
  }

  // ---- acks, nacks, expiry ----

  /**
   * Sorts ack ids: leased or waiting offsets (and offsets an earlier incarnation may have sent)
   * are newly acknowledged; offsets already done, or written to a cursor consumer, are durable
   * already or with this write; anything else is unknown and ignored.
   */
  AckOutcome ack(SubscriptionState state, List<String> ackIds) {
    int newly = 0;
    List<String> durable = new ArrayList<>();
    List<AckId> toPersist = new ArrayList<>();
    Set<AckId> seen = new HashSet<>();
    for (String text : ackIds) {
      Optional<AckId> parsed = AckId.parse(text).filter(id -> id.partition() < lanes.size());
      if (parsed.isEmpty() || !seen.add(parsed.get())) {
        continue;
      }
      AckId id = parsed.get();
      PartitionLane lane = lanes.get(id.partition());
      long offset = id.offset();
      if (state.position(id.partition()).isDone(offset)) {
        // Done already. A lease or redelivery it still had would be repeated forever (an ack of
        // a done offset changes nothing durable): end it here.
        Lease stale = lane.leases.get(offset);
        if (stale != null && !stale.deadLettering) {
          lane.removeLease(offset);
          release(stale);
        }
        lane.removePending(offset);
        durable.add(text);
        continue;
      }
      Lease lease = lane.leases.get(offset);
      if (lease != null && lease.deadLettering) {
        continue;
      }
      if (lease != null) {
        lane.removeLease(offset);
        release(lease);
        newly++;
      } else if (lane.removePending(offset) != null) {
        newly++;
      } else if (offset >= lane.readPos && offset < lane.redeliverBelow) {
        // Not read back yet: skip it when it is, even before this ack is written.
        lane.ackedAhead.add(offset);
        newly++;
      } else if (offset >= lane.readPos) {
        continue; // never delivered
      }
      toPersist.add(id);
      durable.add(text);
    }
    return new AckOutcome(newly, durable, toPersist);
  }

  /** Takes leases off their lanes and owners for a nack; unknown ids are skipped. */
  List<Ended> nack(List<String> ackIds) {
    List<Ended> ended = new ArrayList<>();
    for (String text : ackIds) {
      Optional<AckId> id = AckId.parse(text);
      Optional<PartitionLane> lane = id.flatMap(this::lane);
      if (lane.isEmpty()) {
        continue;
      }
      Lease lease = lane.get().leases.get(id.get().offset());
      if (lease != null && !lease.deadLettering) {
        lane.get().removeLease(lease.message.offset());
        release(lease);
        ended.add(new Ended(lane.get(), lease));
      }
    }
    return ended;
  }

  /** Leases whose deadline has passed, taken off their lanes and owners. */
  List<Ended> expire(long now) {
    List<Ended> ended = new ArrayList<>();
    while (!leaseQueue.isEmpty()) {
      LeaseRef ref = leaseQueue.peek();
      PartitionLane lane = lanes.get(ref.partition());
      Lease lease = lane.leases.get(ref.offset());
      if (lease == null || lease.id != ref.leaseId() || lease.deadLettering) {
        leaseQueue.poll();
        continue;
      }
      if (lease.deadline - now > 0) {
        break;
      }
      leaseQueue.poll();
      lane.removeLease(ref.offset());
      release(lease);
      ended.add(new Ended(lane, lease));
    }
    return ended;
  }

  private void release(Lease lease) {
    AttachedConsumer owner = lease.owner == null ? null : consumers.get(lease.owner);
    if (owner != null) {
      owner.outstanding--;
    }
  }

  /** Long polls whose wait is over, removed. */
  List<WaitingPoll> expiredPolls(long now) {
    List<WaitingPoll> over = new ArrayList<>();
    polls.removeIf(
        p -> {
          if (p.deadline - now <= 0) {
            over.add(p);
            return true;
          }
          return false;
        });
    return over;
  }

  /** Whether a timer must look again: leases, delayed redeliveries or waiting polls. */
  boolean needsTicking() {
    if (!polls.isEmpty() || !leaseQueue.isEmpty()) {
      return true;
    }
    for (PartitionLane lane : lanes) {
      if (lane.hasDelayedPending()) {
        return true;
      }
    }
    return false;
  }

  /** After a seek: every lane starts over from its new position; leases are forgotten. */
  void reset(SubscriptionState seeked) {
    for (int p = 0; p < lanes.size(); p++) {
      PartitionPosition pos = seeked.position(p);
      lanes.get(p).resetTo(pos.committed(), pos.reserved());
    }
    leaseQueue.clear();
    consumers.values().forEach(c -> c.outstanding = 0);
  }

  // ---- the view ----

  SubscriptionView view(
      String name, SubscriptionState state, SubscriptionSettings shown, String node) {
    long backlog = 0;
    int inFlight = 0;
    Instant oldest = null;
    List<Long> positions = new ArrayList<>();
    for (int p = 0; p < state.partitions(); p++) {
      PartitionLane lane = p < lanes.size() ? lanes.get(p) : null;
      positions.add(lane != null ? lane.readPos : state.position(p).committed());
      if (lane == null) {
        continue;
      }
      backlog += lane.backlog();
      inFlight += lane.leases.size();
      List<StoredMessage> candidates = new ArrayList<>(3);
      if (lane.head > lane.readPos && lane.buffer.peek() != null) {
        candidates.add(lane.buffer.peek());
      }
      if (!lane.pending.isEmpty()) {
        candidates.add(lane.pending.firstEntry().getValue().message());
      }
      if (!lane.leases.isEmpty()) {
        candidates.add(lane.leases.firstEntry().getValue().message);
      }
      for (StoredMessage m : candidates) {
        if (oldest == null || m.publishTime().isBefore(oldest)) {
          oldest = m.publishTime();
        }
      }
    }
    double lag =
        oldest == null
            ? 0.0
            : Math.max(0, Duration.between(oldest, Instant.now()).toMillis() / 1000.0);
    return new SubscriptionView(
        name,
        shown,
        state.partitions(),
        state.createdAt(),
        positions,
        backlog,
        lag,
        inFlight,
        delivered,
        state.acked(),
        redelivered,
        state.deadLettered(),
        consumers.size() + polls.size(),
        node);
  }
}
