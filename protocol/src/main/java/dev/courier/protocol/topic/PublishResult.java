package dev.courier.protocol.topic;

import dev.courier.protocol.CborSerializable;
import dev.courier.protocol.WireSize;
import java.time.Instant;

/** Where a published message landed; {@code duplicate} marks an id the topic already held. */
public record PublishResult(
    String id, int partition, long offset, Instant publishTime, boolean duplicate)
    implements CborSerializable {

  /** About what the answer for a message with this id costs between nodes (never less). */
  public static long wireSize(String id) {
    return WireSize.RECORD_OVERHEAD + WireSize.text(id);
  }
}
