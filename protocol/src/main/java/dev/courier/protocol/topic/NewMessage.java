package dev.courier.protocol.topic;

import dev.courier.protocol.CborSerializable;
import dev.courier.protocol.WireSize;
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

  /**
   * Bytes this message costs in the log (the UTF-8 bytes of its id, key, data and attributes),
   * used for size limits and write batching.
   */
  public int weight() {
    int size = WireSize.utf8(id) + WireSize.utf8(data) + WireSize.utf8(key);
    for (var e : attributes.entrySet()) {
      size += WireSize.utf8(e.getKey()) + WireSize.utf8(e.getValue());
    }
    return size;
  }

  /** About what this message costs between nodes (never less), see {@link WireSize}. */
  public long wireSize() {
    return WireSize.RECORD_OVERHEAD + WireSize.text(id) + WireSize.text(key)
        + WireSize.text(data) + WireSize.text(attributes);
  }
}
