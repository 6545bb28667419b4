package dev.courier.protocol.topic;

import dev.courier.protocol.CborSerializable;
import java.time.Duration;

/**
 * A topic's configuration, fixed at creation: partition count, how long messages are kept,
 * and how long a message id is remembered for idempotent publishing.
 */
public record TopicSettings(int partitions, Duration retention, Duration dedupWindow)
    implements CborSerializable {

  public static final int DEFAULT_PARTITIONS = 4;
  public static final int MAX_PARTITIONS = 256;
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(7);
  public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofHours(24);

  public static TopicSettings defaults() {
    return new TopicSettings(DEFAULT_PARTITIONS, DEFAULT_RETENTION, DEFAULT_DEDUP_WINDOW);
  }
}
