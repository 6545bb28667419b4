package dev.courier.edge;

import dev.courier.protocol.subscription.DeliveryJson;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.Delivery;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Writes Server-Sent Events as bytes, a batch at a time. The event data is JSON with no raw line
 * break (the fields are written compact, and {@link MessageParser} turns line breaks between a
 * message's data tokens into spaces), so each event is exactly three lines and no per-character
 * scan is needed.
 */
final class SseFrames {
  private static final ByteString HEARTBEAT = ByteString.fromString(":\n\n");

  private SseFrames() {}

  static ByteString events(List<Delivery> deliveries, String token) {
    StringWriter out = new StringWriter(deliveries.size() * 1200);
    try (JsonGenerator g = Json.FACTORY.createGenerator(out)) {
      g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      g.setRootValueSeparator(null);
      for (Delivery d : deliveries) {
        g.flush();
        out.append("id: ").append(StreamIds.eventId(d.cursor(), token)).append('\n');
        out.append("event: message\ndata: ");
        DeliveryJson.write(g, d.record());
        g.flush();
        out.append("\n\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteString.fromArrayUnsafe(out.toString().getBytes(StandardCharsets.UTF_8));
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
