package dev.courier.persistence;

import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** The newest offset per key of a partition, looked up for many keys at once. */
public interface LatestReader {

  /**
   * For each of these keys that has a retained message in the partition, the offset of its newest.
   * A few queries for any number of keys, never one per key.
   */
  CompletionStage<Map<String, Long>> newest(UUID topicId, int partition, Collection<String> keys);
}
