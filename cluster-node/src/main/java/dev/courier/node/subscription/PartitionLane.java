package dev.courier.node.subscription;

import dev.courier.protocol.topic.StoredMessage;
import dev.courier.protocol.topic.TopicPartitionCommand;
import java.util.ArrayDeque;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A subscription entity's live view of one partition: where delivery stands, where the log ends,
 * and a bounded buffer of the messages next in line (filled from appends or catch-up reads). Memory
 * only and actor-confined; rebuilt from the persisted position after a restart.
 */
final class PartitionLane {
  final int partition;
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
  /** The partition entity's actor, once it has answered a watch; null while (re)watching. */
  ActorRef<TopicPartitionCommand> partitionRef;

  PartitionLane(int partition, long position, long redeliverBelow) {
    this.partition = partition;
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

  void resetTo(long position, long reserved) {
    readPos = position;
    this.redeliverBelow = Math.min(reserved, Math.max(head, position));
    head = Math.max(head, position);
    buffer.clear();
    reading = false;
    generation++;
  }

  long bufferEnd() {
    return readPos + buffer.size();
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

  boolean needsRead(int lowWater) {
    return !reading && buffer.size() < lowWater && bufferEnd() < head;
  }

  long backlog() {
    return Math.max(0, head - readPos);
  }
}
