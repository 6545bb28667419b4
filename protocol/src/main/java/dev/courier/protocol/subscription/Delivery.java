package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;
import dev.courier.protocol.WireSize;

/** A delivery record plus the stream cursor just after it (the SSE event id). */
public record Delivery(DeliveryRecord record, String cursor) implements CborSerializable {

  /** About what this delivery costs between nodes (never less), see {@link WireSize}. */
  public long wireSize() {
    return record.wireSize() + WireSize.text(cursor) + 16;
  }
}
