package dev.courier.protocol.topic;

import dev.courier.protocol.CborSerializable;
import java.time.Instant;
import java.util.UUID;

/**
 * One incarnation of a named topic. The {@code topicId} changes when a topic is deleted and
 * created again, so the new topic never sees the old one's log or entities.
 */
public record TopicInfo(String name, UUID topicId, TopicSettings settings, Instant createdAt)
    implements CborSerializable {

  public int partitions() {
    return settings.partitions();
  }
}
