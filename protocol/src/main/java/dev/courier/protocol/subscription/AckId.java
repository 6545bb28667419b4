package dev.courier.protocol.subscription;

import java.util.Optional;

/**
 * The message an ack id names: a partition and an offset. Clients see only the sealed text that
 * {@link AckIdCodec} mints ({@code "{partition}-{offset}-{attempt}.{mac}"}), opaque to them.
 */
public record AckId(int partition, long offset) {

  /**
   * The message named by an ack id's text, read without checking its MAC: for what must stay the
   * same on every delivery of a message (a webhook's id), never to act on an ack.
   */
  public static Optional<AckId> position(String text) {
    return AckIdCodec.Parsed.of(text).map(p -> new AckId(p.partition(), p.offset()));
  }
}
