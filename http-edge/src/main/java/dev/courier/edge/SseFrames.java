package dev.courier.edge;

import dev.courier.protocol.subscription.Delivery;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Writes Server-Sent Events as bytes, a batch at a time. The event data is compact JSON, which
 * never holds a raw line break, so each event is exactly three lines and no per-character scan is
 * needed.
 */
final class SseFrames {
  private static final ByteString HEARTBEAT = ByteString.fromString(":\n\n");

  private SseFrames() {}

  static ByteString events(List<Delivery> deliveries, String token) {
    StringBuilder sb = new StringBuilder(deliveries.size() * 1200);
    for (Delivery d : deliveries) {
      sb.append("id: ").append(StreamIds.eventId(d.cursor(), token)).append('\n');
      sb.append("event: message\n");
      sb.append("data: ").append(DeliveryJson.write(d.record())).append("\n\n");
    }
    return ByteString.fromArrayUnsafe(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  static ByteString heartbeat() {
    return HEARTBEAT;
  }
}
