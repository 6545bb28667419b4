package dev.courier.node.subscription;

import dev.courier.protocol.subscription.OffsetSpan;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The delivery core's live view of one partition: where first delivery stands, where the log
 * ends, a bounded buffer of the messages next in line (filled from appends or catch-up reads), and
 * what is behind the read position but not done: leased messages, messages written to cursor
 * consumers and not yet proven, and messages waiting to be delivered again. For conflation and
 * keyed snapshots it knows which buffered messages a newer message of their key supersedes; what
 * it passes over undelivered waits in {@link #skippedOut} for the core to persist. Memory only;
 * rebuilt from the persisted position after a restart.
 */
final class PartitionLane<C> {
  final int partition;
  final boolean ordered;
  /** The next offset to deliver for the first time in this incarnation. */
  long readPos;
  /** The partition's next offset, as last heard. */
  long head;
  /** Offsets below this may have been delivered by an earlier incarnation or before a seek. */
  long redeliverBelow;
  /** Contiguous messages from {@code readPos} on. */
  final ArrayDeque<StoredMessage> buffer = new ArrayDeque<>();
  /** What the buffer holds, in bytes as between nodes ({@link StoredMessage#wireSize}). */
  long bufferBytes;
  /** A running estimate of this lane's message size, 0 until one was seen. */
  private long typicalBytes;
  /** Until a message was seen, each is taken to be as large as the largest allowed (1 MiB). */
  static final long ASSUMED_MESSAGE_BYTES = (1 << 20) + 1024;
  /** A catch-up read is in flight. */
  boolean reading;
  /** Bumped by every seek, so a read that was started before it is discarded. */
  int generation;
  /** Whether a head has been heard since this incarnation started. */
  boolean headKnown;

  /** Leased messages by offset. */
  final TreeMap<Long, Lease<C>> leases = new TreeMap<>();
  /** Messages below {@code readPos} waiting to be delivered (again), by offset. */
  final TreeMap<Long, Pending> pending = new TreeMap<>();
  /** The pending messages that may go now (no delay, or its time came), by offset. */
  private final TreeMap<Long, Pending> ready = new TreeMap<>();
  /** The pending messages waiting out a nack's delay, soonest first. */
  private final TreeSet<Pending> delayed =
      new TreeSet<>(java.util.Comparator.comparingLong(Pending::notBefore)
          .thenComparingLong(p -> p.message().offset()));
  /** Ordered subscriptions: per key, the offsets of its delayed messages (they hold later ones). */
  private final Map<String, TreeSet<Long>> delayedByKey = new HashMap<>();
  /** Offsets written to cursor consumers and not yet proven: they hold the commit point back. */
  final TreeSet<Long> unproven = new TreeSet<>();
  /** Offsets proven by cursor consumers since the last commit was written. */
  final TreeSet<Long> proven = new TreeSet<>();
  /**
   * Offsets acknowledged whose ack is not written yet (it lingers, or is being written): treated
   * as done, so a catch-up read that brings one back does not deliver it again.
   */
  final Set<Long> ackedUnwritten = new HashSet<>();
  /** Ordered subscriptions: keys with a leased message, and keys with pending messages. */
  private final Set<String> keysInFlight = new HashSet<>();
  private final Map<String, Integer> pendingKeys = new HashMap<>();
  /** Buffered offsets that a newer message of their key supersedes. */
  private final Set<Long> superseded = new HashSet<>();
  /** Per key, the newest buffered offset not superseded (so an arriving newer one can mark it). */
  private final Map<String, Long> newestBuffered = new HashMap<>();
  /**
   * Keys appended while a catch-up read is in flight, with their newest offset: the read's rows
   * may hold older messages of them, which the read's own newest-per-key lookup can miss.
   */
  private final Map<String, Long> newerWhileReading = new HashMap<>();
  /** Publish time of the last message taken from the buffer (delivered or passed over). */
  Instant lastTakenAt;
  /** Offsets passed over undelivered, for the core to write: counted by the overflow policy. */
  final List<OffsetSpan> skippedOut = new ArrayList<>();
  /** Offsets a keyed snapshot or the query passed over (not counted as skipped). */
  final List<OffsetSpan> filteredOut = new ArrayList<>();

  /** What the subscription's query passes on (and how it rewrites it) at first delivery. */
  private final SubscriptionQuery query;

  PartitionLane(int partition, boolean ordered, long position, long redeliverBelow) {
    this(partition, ordered, position, redeliverBelow, SubscriptionQuery.NONE);
  }

  PartitionLane(
      int partition, boolean ordered, long position, long redeliverBelow, SubscriptionQuery query) {
    this.query = query;
    this.partition = partition;
    this.ordered = ordered;
    this.readPos = position;
    this.head = position;
    this.redeliverBelow = redeliverBelow;
  }

  /**
   * The first head heard after a start bounds what an earlier incarnation can have sent: offsets
   * at or past it did not exist yet, so they are never marked as repeats.
   */
  void headHeard(long nextOffset) {
    if (!headKnown) {
      headKnown = true;
      redeliverBelow = Math.min(redeliverBelow, nextOffset);
    }
    head = Math.max(head, nextOffset);
  }

  /** Moves to {@code position}, dropping everything in memory (a seek). */
  void resetTo(long position, long reserved) {
    readPos = position;
    this.redeliverBelow = Math.min(reserved, Math.max(head, position));
    head = Math.max(head, position);
    buffer.clear();
    bufferBytes = 0;
    reading = false;
    generation++;
    leases.clear();
    pending.clear();
    ready.clear();
    delayed.clear();
    delayedByKey.clear();
    unproven.clear();
    proven.clear();
    ackedUnwritten.clear();
    keysInFlight.clear();
    pendingKeys.clear();
    superseded.clear();
    newestBuffered.clear();
    newerWhileReading.clear();
    skippedOut.clear();
    filteredOut.clear();
  }

  long bufferEnd() {
    return readPos + buffer.size();
  }

  /** Whether the offset is done, durably or by an ack still being written. */
  boolean isDone(PartitionPosition pos, long offset) {
    return pos.isDone(offset) || ackedUnwritten.contains(offset);
  }

  /**
   * Adds freshly appended messages if they continue the buffer and fit; otherwise a read will.
   * Either way they supersede older buffered messages of their keys.
   */
  void offer(List<StoredMessage> messages, int capacity, long maxBytes) {
    for (StoredMessage m : messages) {
      if (m.key() != null) {
        newer(m.key(), m.offset());
        if (reading) {
          newerWhileReading.merge(m.key(), m.offset(), Math::max);
        }
      }
    }
    if (reading) {
      return;
    }
    for (StoredMessage m : messages) {
      if (m.offset() < bufferEnd()) {
        continue;
      }
      if (m.offset() != bufferEnd() || buffer.size() >= capacity
          || (!buffer.isEmpty() && bufferBytes >= maxBytes)) {
        return;
      }
      add(m, null);
    }
  }

  /** A message of {@code key} at {@code offset} exists: older buffered ones of the key are superseded. */
  private void newer(String key, long offset) {
    Long buffered = newestBuffered.get(key);
    if (buffered != null && buffered < offset) {
      superseded.add(buffered);
      newestBuffered.remove(key);
    }
  }

  /** Appends to the buffer; {@code newest} (may be null) knows the key's newest offset in the log. */
  private void add(StoredMessage m, Map<String, Long> newest) {
    buffer.add(m);
    long size = m.wireSize();
    bufferBytes += size;
    typicalBytes = typicalBytes == 0 ? size : (typicalBytes * 7 + size) / 8;
    String key = m.key();
    if (key == null) {
      return;
    }
    long known = Math.max(
        newest == null ? -1 : newest.getOrDefault(key, -1L),
        newerWhileReading.getOrDefault(key, -1L));
    if (known > m.offset()) {
      superseded.add(m.offset());
      return;
    }
    Long older = newestBuffered.put(key, m.offset());
    if (older != null && older < m.offset()) {
      superseded.add(older);
    }
  }

  /**
   * How many messages a read may fetch to add about {@code bytes} to the buffer, by the lane's
   * typical message size (the largest allowed until one was seen); at least one.
   */
  int messagesWithin(long bytes) {
    long each = typicalBytes == 0 ? ASSUMED_MESSAGE_BYTES : Math.max(1, typicalBytes);
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes / each));
  }

  /** Takes the buffer's head without delivering it (an aggregation accepts it). */
  StoredMessage takeHead() {
    return take();
  }

  /** Takes the buffer's head, forgetting what was known of it. */
  private StoredMessage take() {
    StoredMessage m = buffer.poll();
    bufferBytes -= m.wireSize();
    readPos = m.offset() + 1;
    lastTakenAt = m.publishTime();
    superseded.remove(m.offset());
    if (m.key() != null) {
      newestBuffered.remove(m.key(), m.offset());
    }
    return m;
  }

  /** Adds rows of a catch-up read of {@code [from, until)}. */
  void loaded(long from, long until, List<StoredMessage> rows) {
    loaded(from, until, rows, Map.of());
  }

  /**
   * Adds rows of a catch-up read of {@code [from, until)}; {@code newest} holds the newest offset
   * in the log of (some of) their keys, for conflation and keyed snapshots.
   */
  void loaded(long from, long until, List<StoredMessage> rows, Map<String, Long> newest) {
    reading = false;
    if (rows.isEmpty()) {
      // Nothing stored in the range: it expired. Move past it.
      if (buffer.isEmpty() && readPos == from) {
        readPos = until;
      }
      newerWhileReading.clear();
      return;
    }
    long first = rows.get(0).offset();
    if (buffer.isEmpty() && first > readPos) {
      readPos = first;
    }
    for (StoredMessage m : rows) {
      if (m.offset() == bufferEnd()) {
        add(m, newest);
      }
    }
    newerWhileReading.clear();
  }

  /**
   * Drop-oldest: moves first delivery forward over the next {@code count} messages not done yet,
   * passing over them (recorded in {@link #skippedOut}) and over done ones between them.
   */
  void skipUndelivered(long count, PartitionPosition pos) {
    long at = readPos;
    long left = count;
    while (left > 0 && at < head) {
      long doneEnd = pos.doneUntil(at);
      if (doneEnd > at) {
        at = doneEnd;
        continue;
      }
      long end = Math.min(Math.min(pos.nextDone(at), head), at + left);
      skippedOut.add(new OffsetSpan(partition, at, end));
      left -= end - at;
      at = end;
    }
    while (!buffer.isEmpty() && buffer.peek().offset() < at) {
      take();
    }
    readPos = Math.max(readPos, at);
  }

  /** Messages ahead of first delivery that are not done (not counting those to come again). */
  long undelivered(PartitionPosition pos) {
    return Math.max(0, head - readPos - pos.doneIn(readPos, head));
  }

  /**
   * The publish time of the oldest message not yet delivered (first delivery or redelivery), or
   * null if there is none. A backlog not read into memory yet is as old as the message before it.
   */
  Instant oldestUndelivered() {
    Instant oldest = null;
    if (head > readPos) {
      StoredMessage next = buffer.peek();
      oldest = next != null ? next.publishTime() : lastTakenAt;
    }
    if (!pending.isEmpty()) {
      Instant p = pending.firstEntry().getValue().message().publishTime();
      if (oldest == null || p.isBefore(oldest)) {
        oldest = p;
      }
    }
    return oldest;
  }

  /** Messages not yet delivered, or waiting to be delivered again. */
  long backlog(PartitionPosition pos) {
    return undelivered(pos) + pending.size();
  }

  /** Everything below this is done, or proven to a cursor consumer. */
  long commitPoint() {
    long point = readPos;
    if (!leases.isEmpty()) {
      point = Math.min(point, leases.firstKey());
    }
    if (!pending.isEmpty()) {
      point = Math.min(point, pending.firstKey());
    }
    if (!unproven.isEmpty()) {
      point = Math.min(point, unproven.first());
    }
    return point;
  }

  /** Whether the buffer's head waits for a reservation to cover it. */
  boolean needsReservation(PartitionPosition pos) {
    return !buffer.isEmpty() && readPos >= pos.reserved();
  }

  Candidate next(long now, PartitionPosition pos, int pendingCap) {
    return next(now, pos, pendingCap, false, 0);
  }

  /**
   * The next message to deliver: a pending one whose time has come first, then the buffer's head
   * while it lies below its reservation mark. On an ordered subscription a message whose key is
   * in flight (or has an earlier message waiting) is set aside as pending, up to {@code
   * pendingCap}. Passed over on the way: done offsets; with {@code conflate}, keyed messages that
   * a newer one of their key supersedes (counted skips); below {@code snapshotUntil}, keyless and
   * superseded messages (a keyed snapshot delivers each key's newest only); messages the
   * subscription's query does not pass (not counted). A message the query projects is offered,
   * and kept for redelivery, with its {@code data} replaced by the result row.
   */
  Candidate next(
      long now, PartitionPosition pos, int pendingCap, boolean conflate, long snapshotUntil) {
    releaseDue(now);
    if (!ready.isEmpty()) {
      Iterator<Pending> it = ready.values().iterator();
      while (it.hasNext()) {
        Pending p = it.next();
        String key = ordered ? p.message().key() : null;
        if (key != null && (keysInFlight.contains(key) || heldByDelayed(key, p))) {
          continue;
        }
        it.remove();
        pending.remove(p.message().offset());
        unmarkPending(p.message().key());
        return new Candidate(p.message(), p.attempt());
      }
    }
    while (!buffer.isEmpty() && readPos < pos.reserved()) {
      StoredMessage m = buffer.peek();
      if (isDone(pos, m.offset())) {
        take();
        long end = pos.doneUntil(readPos);
        if (end > bufferEnd()) {
          // A long done run (skipped or acked before a restart): jump it instead of reading it.
          while (!buffer.isEmpty()) {
            take();
          }
          readPos = end;
          head = Math.max(head, end);
        }
        continue;
      }
      boolean old = m.key() == null || superseded.contains(m.offset());
      if (m.offset() < snapshotUntil && old) {
        take();
        filteredOut.add(new OffsetSpan(partition, m.offset(), m.offset() + 1));
        continue;
      }
      if (conflate && m.key() != null && superseded.contains(m.offset())) {
        take();
        skippedOut.add(new OffsetSpan(partition, m.offset(), m.offset() + 1));
        continue;
      }
      StoredMessage passed = query.apply(m);
      if (passed == null) {
        take();
        filteredOut.add(new OffsetSpan(partition, m.offset(), m.offset() + 1));
        continue;
      }
      m = passed;
      int attempt = firstAttempt(pos, m.offset());
      String key = ordered ? m.key() : null;
      if (key != null && (keysInFlight.contains(key) || pendingKeys.containsKey(key))) {
        if (pending.size() >= pendingCap) {
          return null;
        }
        take();
        addPending(new Pending(m, attempt, Pending.NOW));
        continue;
      }
      take();
      return new Candidate(m, attempt);
    }
    return null;
  }

  /**
   * The attempt a message read from the log is delivered with: one more than the recorded attempt
   * of an earlier incarnation, 2 if it may have been sent before without a record, else 1.
   */
  private int firstAttempt(PartitionPosition pos, long offset) {
    int recorded = pos.recordedAttempt(offset);
    if (recorded > 0) {
      return recorded + 1;
    }
    return offset < redeliverBelow ? 2 : 1;
  }

  void addLease(Lease<C> lease) {
    leases.put(lease.message.offset(), lease);
    if (ordered && lease.message.key() != null) {
      keysInFlight.add(lease.message.key());
    }
  }

  Lease<C> removeLease(long offset) {
    Lease<C> lease = leases.remove(offset);
    if (lease != null && ordered && lease.message.key() != null) {
      keysInFlight.remove(lease.message.key());
    }
    return lease;
  }

  /**
   * Moves the delayed messages whose time has come to the ready ones: a look at the soonest only,
   * so many delayed messages cost nothing until they are due.
   */
  private void releaseDue(long now) {
    while (!delayed.isEmpty() && delayed.first().notBefore() - now <= 0) {
      Pending p = delayed.pollFirst();
      forgetDelayedKey(p);
      ready.put(p.message().offset(), p);
    }
  }

  /** Ordered: whether an earlier message of the key waits out a delay (it must go first). */
  private boolean heldByDelayed(String key, Pending p) {
    TreeSet<Long> offsets = delayedByKey.get(key);
    return offsets != null && offsets.first() < p.message().offset();
  }

  private void forgetDelayedKey(Pending p) {
    String key = p.message().key();
    if (ordered && key != null) {
      TreeSet<Long> offsets = delayedByKey.get(key);
      if (offsets != null && offsets.remove(p.message().offset()) && offsets.isEmpty()) {
        delayedByKey.remove(key);
      }
    }
  }

  /** Messages waiting out a nack's delay. */
  int delayedCount() {
    return delayed.size();
  }

  void addPending(Pending p) {
    if (pending.containsKey(p.message().offset())) {
      removePending(p.message().offset());
    }
    pending.put(p.message().offset(), p);
    if (p.notBefore() == Pending.NOW) {
      ready.put(p.message().offset(), p);
    } else {
      delayed.add(p);
      if (ordered && p.message().key() != null) {
        delayedByKey.computeIfAbsent(p.message().key(), k -> new TreeSet<>())
            .add(p.message().offset());
      }
    }
    if (ordered && p.message().key() != null) {
      pendingKeys.merge(p.message().key(), 1, Integer::sum);
    }
  }

  Pending removePending(long offset) {
    Pending p = pending.remove(offset);
    if (p != null) {
      if (ready.remove(offset) == null && delayed.remove(p)) {
        forgetDelayedKey(p);
      }
      unmarkPending(p.message().key());
    }
    return p;
  }

  private void unmarkPending(String key) {
    if (ordered && key != null) {
      pendingKeys.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
    }
  }

  /** Whether some pending message waits for a delay (a timer must look again). */
  boolean hasDelayedPending() {
    return !delayed.isEmpty();
  }
}
