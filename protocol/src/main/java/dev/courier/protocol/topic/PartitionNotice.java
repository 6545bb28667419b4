package dev.courier.protocol.topic;

import dev.courier.protocol.CborSerializable;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;

/** What a topic partition tells its watchers: the live fast path from publish to delivery. */
public sealed interface PartitionNotice extends CborSerializable {

  /** Sent once per {@code Watch}: the current head, and the partition actor to death-watch. */
  record Watching(
      UUID topicId, int partition, long nextOffset, ActorRef<TopicPartitionCommand> partitionRef)
      implements PartitionNotice {}

  /** Messages just made durable, in offset order; {@code nextOffset} is the new head. */
  record Appended(UUID topicId, int partition, List<StoredMessage> messages, long nextOffset)
      implements PartitionNotice {
    public Appended {
      messages = List.copyOf(messages);
    }
  }
}
