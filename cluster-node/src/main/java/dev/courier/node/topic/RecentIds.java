package dev.courier.node.topic;

import dev.courier.protocol.topic.PublishResult;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ids (with their keys) a partition stored most recently, bounded, and those of the writes in
 * flight: retries of them are answered without a Cassandra read. An entry counts only within the
 * dedup window after its publish time.
 */
final class RecentIds {
  /** A message's identity for deduplication: a retry is the same id with the same key. */
  record IdKey(String id, String key) {}

  private final LinkedHashMap<IdKey, PublishResult> byId;

  RecentIds(int capacity) {
    this.byId =
        new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<IdKey, PublishResult> eldest) {
            return size() > capacity;
          }
        };
  }

  /** The stored message with this id and key, if it was published within the window. */
  PublishResult get(String id, String key, Instant now, Duration window) {
    IdKey k = new IdKey(id, key);
    PublishResult found = byId.get(k);
    if (found != null && found.publishTime().isBefore(now.minus(window))) {
      byId.remove(k);
      return null;
    }
    return found;
  }

  void put(String key, PublishResult result) {
    byId.put(new IdKey(result.id(), key), result);
  }
}
