package dev.courier.protocol.topic;

import dev.courier.protocol.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** What a topic partition entity is asked to do: append messages, report its head, be watched. */
public interface TopicPartitionCommand extends CborSerializable {

  /** Append these messages durably, deduplicating by id; the reply comes after the write. */
  record Publish(TopicInfo topic, List<NewMessage> messages, ActorRef<PublishReply> replyTo)
      implements TopicPartitionCommand {
    public Publish {
      messages = List.copyOf(messages);
    }
  }

  /** Tell {@code replyTo} the next offset this partition will assign. */
  record GetHead(ActorRef<PartitionHead> replyTo) implements TopicPartitionCommand {}

  /** Send {@code watcher} a {@link PartitionNotice.Watching} now and every append from now on. */
  record Watch(ActorRef<PartitionNotice> watcher) implements TopicPartitionCommand {}

  /** Stop sending appends to {@code watcher}. */
  record Unwatch(ActorRef<PartitionNotice> watcher) implements TopicPartitionCommand {}

  /** The topic was deleted: stop once the write in flight (if any) is done. */
  record Retire() implements TopicPartitionCommand {}
}
