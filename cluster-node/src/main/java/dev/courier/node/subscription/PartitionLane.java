package dev.courier.node.subscription;

import dev.courier.protocol.topic.StoredMessage;
import java.util.ArrayDeque;
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
 * consumers and not yet proven, and messages waiting to be delivered again. Memory only; rebuilt
 * from the persisted position after a restart.
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

  PartitionLane(int partition, boolean ordered, long position, long redeliverBelow) {
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
    reading = false;
    generation++;
    leases.clear();
    pending.clear();
    unproven.clear();
    proven.clear();
    ackedUnwritten.clear();
    keysInFlight.clear();
    pendingKeys.clear();
  }

  long bufferEnd() {
    return readPos + buffer.size();
  }

  /** Whether the offset is done, durably or by an ack still being written. */
  boolean isDone(PartitionPosition pos, long offset) {
    return pos.isDone(offset) || ackedUnwritten.contains(offset);
  }

  /** Adds freshly appended messages if they continue the buffer and fit; otherwise a read will. */
  void offer(List<StoredMessage> messages, int capacity) {
    if (reading) {
      return;
    }
    for (StoredMessage m : messages) {
      if (m.offset() < bufferEnd()) {
        continue;
      }
      if (m.offset() != bufferEnd() || buffer.size() >= capacity) {
        return;
      }
      buffer.add(m);
    }
  }

  /** Adds rows of a catch-up read of {@code [from, until)}. */
  void loaded(long from, long until, List<StoredMessage> rows) {
    reading = false;
    if (rows.isEmpty()) {
      // Nothing stored in the range: it expired. Move past it.
      if (buffer.isEmpty() && readPos == from) {
        readPos = until;
      }
      return;
    }
    long first = rows.get(0).offset();
    if (buffer.isEmpty() && first > readPos) {
      readPos = first;
    }
    for (StoredMessage m : rows) {
      if (m.offset() == bufferEnd()) {
        buffer.add(m);
      }
    }
  }

  /** Messages not yet delivered, or waiting to be delivered again. */
  long backlog() {
    return Math.max(0, head - readPos) + pending.size();
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

  /**
   * The next message to deliver: a pending one whose time has come first, then the buffer's head
   * while it lies below its reservation mark. On an ordered subscription a message whose key is
   * in flight (or has an earlier message waiting) is set aside as pending, up to {@code
   * pendingCap}.
   */
  Candidate next(long now, PartitionPosition pos, int pendingCap) {
    if (!pending.isEmpty()) {
      Set<String> blocked = null;
      Iterator<Pending> it = pending.values().iterator();
      while (it.hasNext()) {
        Pending p = it.next();
        String key = ordered ? p.message().key() : null;
        if (key != null
            && (keysInFlight.contains(key) || (blocked != null && blocked.contains(key)))) {
          continue;
        }
        if (p.notBefore() != Pending.NOW && p.notBefore() - now > 0) {
          if (key != null) {
            if (blocked == null) {
              blocked = new HashSet<>();
            }
            blocked.add(key);
          }
          continue;
        }
        it.remove();
        unmarkPending(p.message().key());
        return new Candidate(p.message(), p.attempt());
      }
    }
    while (!buffer.isEmpty() && readPos < pos.reserved()) {
      StoredMessage m = buffer.peek();
      if (isDone(pos, m.offset())) {
        buffer.poll();
        readPos = m.offset() + 1;
        continue;
      }
      int attempt = firstAttempt(pos, m.offset());
      String key = ordered ? m.key() : null;
      if (key != null && (keysInFlight.contains(key) || pendingKeys.containsKey(key))) {
        if (pending.size() >= pendingCap) {
          return null;
        }
        buffer.poll();
        readPos = m.offset() + 1;
        addPending(new Pending(m, attempt, Pending.NOW));
        continue;
      }
      buffer.poll();
      readPos = m.offset() + 1;
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

  void addPending(Pending p) {
    pending.put(p.message().offset(), p);
    if (ordered && p.message().key() != null) {
      pendingKeys.merge(p.message().key(), 1, Integer::sum);
    }
  }

  Pending removePending(long offset) {
    Pending p = pending.remove(offset);
    if (p != null) {
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
    for (Pending p : pending.values()) {
      if (p.notBefore() != Pending.NOW) {
        return true;
      }
    }
    return false;
  }
}
