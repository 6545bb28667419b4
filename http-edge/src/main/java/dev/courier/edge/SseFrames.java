package dev.courier.edge;

import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Writes Server-Sent Events as bytes, a batch at a time. The event data is JSON with no raw line
 * break (the fields are written compact, and {@link MessageParser} turns line breaks between a
 * message's data tokens into spaces), so each event is exactly three lines and no per-character
 * scan is needed.
 */
final class SseFrames {
  private static final ByteString HEARTBEAT = ByteString.fromString(":\n\n");
  private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT_DATA = "\nevent: message\ndata: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

  private SseFrames() {}

  static ByteString events(List<Delivery> deliveries, String token) {
    ByteStringBuilder bytes = new ByteStringBuilder();
    bytes.sizeHint(deliveries.size() * 1200);
    OutputStream out = bytes.asOutputStream();
    try {
      for (Delivery d : deliveries) {
        out.write(ID);
        out.write(StreamIds.eventId(d.cursor(), token).getBytes(StandardCharsets.UTF_8));
        out.write(EVENT_DATA);
        DeliveryJson.writeUtf8(d.record(), out);
        out.write(END);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.result();
  }

  /**
   * A lag notice: {@code event: lag} with the notice's JSON. It has no {@code id:}, so the
   * client's Last-Event-ID stays the last message's cursor.
   */
  static ByteString lag(ConsumerMessage.Lag lag) {
    return ByteString.fromString("event: lag\ndata: " + ConsumerFrames.lag(lag) + "\n\n");
  }

  static ByteString heartbeat() {
    return HEARTBEAT;
  }

  /** The reconnection delay an EventSource uses after this stream ends; no event is dispatched. */
  static ByteString retry(Duration delay) {
    return ByteString.fromString("retry: " + delay.toMillis() + "\n\n");
  }
}
