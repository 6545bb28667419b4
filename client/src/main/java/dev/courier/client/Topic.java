package dev.courier.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A topic as the server shows it; the accessors read the common fields, {@link #json()} keeps
 * all of it (the heads of {@code show}, fields a newer server adds).
 */
public record Topic(JsonNode json) {
  public String name() {
    return json.path("name").asText();
  }

  public int partitions() {
    return json.path("partitions").asInt();
  }

  public String retention() {
    return json.path("retention").asText(null);
  }

  public String dedupWindow() {
    return json.path("dedupWindow").asText(null);
  }

  /** The next offset of a partition, from {@code heads} (only in a single topic's answer). */
  public long nextOffset(int partition) {
    for (JsonNode head : json.path("heads")) {
      if (head.path("partition").asInt() == partition) {
        return head.path("nextOffset").asLong();
      }
    }
    throw new IllegalArgumentException("no head for partition " + partition);
  }
}
