package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import dev.courier.protocol.WireSize;
import java.time.Instant;
import java.util.Map;

/**
 * The object every protocol carries for one delivery of one message. {@code data} is the message's
 * JSON value as text, written verbatim by the edge.
 */
public record DeliveryRecord(
    String ackId,
    String id,
    String topic,
    int partition,
    long offset,
    String key,
    Instant publishTime,
    Map<String, String> attributes,
    String data,
    int deliveryAttempt)
    implements CborSerializable {

  /** About what this record costs between nodes (never less), see {@link WireSize}. */
  public long wireSize() {
    return WireSize.RECORD_OVERHEAD + WireSize.text(ackId) + WireSize.text(id)
        + WireSize.text(topic) + WireSize.text(key) + WireSize.text(attributes)
        + WireSize.text(data);
  }
}
