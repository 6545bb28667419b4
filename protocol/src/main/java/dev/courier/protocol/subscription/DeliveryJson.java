package dev.courier.protocol.subscription;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Writes the delivery record every protocol carries (SSE, WebSocket, long polling, webhooks), with
 * the message's data embedded verbatim.
 */
public final class DeliveryJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private DeliveryJson() {}

  public static String write(DeliveryRecord r) {
    return generate(r, null);
  }

  /** The record with a leading {@code "type"} field: a WebSocket frame. */
  public static String frame(String type, DeliveryRecord r) {
    return generate(r, type);
  }

  private static String generate(DeliveryRecord r, String type) {
    StringWriter out = new StringWriter(expectedLength(r));
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, type, r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Writes one record to an open generator (several records may share one). */
  public static void write(JsonGenerator g, DeliveryRecord r) throws IOException {
    write(g, null, r);
  }

  private static int expectedLength(DeliveryRecord r) {
    return r.data().length() + 320 + (r.key() == null ? 0 : r.key().length());
  }

  private static void write(JsonGenerator g, String type, DeliveryRecord r) throws IOException {
    g.writeStartObject();
    if (type != null) {
      g.writeStringField("type", type);
    }
    g.writeStringField("ackId", r.ackId());
    g.writeStringField("id", r.id());
    g.writeStringField("topic", r.topic());
    g.writeNumberField("partition", r.partition());
    g.writeNumberField("offset", r.offset());
    if (r.key() != null) {
      g.writeStringField("key", r.key());
    }
    g.writeStringField("publishTime", r.publishTime().toString());
    g.writeObjectFieldStart("attributes");
    for (Map.Entry<String, String> e : r.attributes().entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
    g.writeFieldName("data");
    g.writeRawValue(r.data());
    g.writeNumberField("deliveryAttempt", r.deliveryAttempt());
    g.writeEndObject();
  }
}
