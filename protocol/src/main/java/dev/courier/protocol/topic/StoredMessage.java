package dev.courier.protocol.topic;

import dev.courier.protocol.CborSerializable;
import dev.courier.protocol.WireSize;
import java.time.Instant;
import java.util.Map;

/** A message as it stands in a partition's log, with its server-assigned position and time. */
public record StoredMessage(
    String id,
    String key,
    int partition,
    long offset,
    Instant publishTime,
    Map<String, String> attributes,
    String data)
    implements CborSerializable {

  public StoredMessage {
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /** About what this message costs between nodes (never less), see {@link WireSize}. */
  public long wireSize() {
    return WireSize.RECORD_OVERHEAD + WireSize.text(id) + WireSize.text(key)
        + WireSize.text(attributes) + WireSize.text(data);
  }
}
