package dev.courier.protocol.topic;

import dev.courier.protocol.CborSerializable;
import java.util.Map;

/**
 * A validated message on its way into a partition. {@code data} is the message's JSON value as
 * text, kept verbatim end to end. {@code clientId} tells whether the producer chose the id (and so
 * may send it again), which is what makes deduplication necessary.
 */
public record NewMessage(
    String id, String key, String data, Map<String, String> attributes, boolean clientId)
    implements CborSerializable {

  public NewMessage {
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /** Bytes this message costs in the log, used for size limits and write batching. */
  public int weight() {
    int size = id.length() + data.length() + (key == null ? 0 : key.length());
    for (var e : attributes.entrySet()) {
      size += e.getKey().length() + e.getValue().length();
    }
    return size;
  }
}
