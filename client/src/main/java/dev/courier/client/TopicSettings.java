package dev.courier.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** A topic's settings at creation; null leaves a setting to the server's default. */
public record TopicSettings(Integer partitions, Duration retention, Duration dedupWindow) {
  public static TopicSettings defaults() {
    return new TopicSettings(null, null, null);
  }

  Map<String, Object> body() {
    Map<String, Object> m = new LinkedHashMap<>();
    if (partitions != null) {
      m.put("partitions", partitions);
    }
    if (retention != null) {
      m.put("retention", retention.toString());
    }
    if (dedupWindow != null) {
      m.put("dedupWindow", dedupWindow.toString());
    }
    return m;
  }
}
