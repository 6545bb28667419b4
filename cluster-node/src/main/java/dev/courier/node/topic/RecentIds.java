package dev.courier.node.topic;

import dev.courier.protocol.topic.PublishResult;
import java.util.LinkedHashMap;
import java.util.Map;

/** The ids a partition stored most recently, bounded: retries of them skip the Cassandra read. */
final class RecentIds {
  private final LinkedHashMap<String, PublishResult> byId;

  RecentIds(int capacity) {
    this.byId =
        new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, PublishResult> eldest) {
            return size() > capacity;
          }
        };
  }

  PublishResult get(String id) {
    return byId.get(id);
  }

  void put(PublishResult result) {
    byId.put(result.id(), result);
  }
}
