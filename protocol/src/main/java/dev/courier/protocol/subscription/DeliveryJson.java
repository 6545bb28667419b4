package dev.courier.protocol.subscription;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the delivery record every protocol carries (SSE, WebSocket, long polling, webhooks), with
 * the message's data embedded verbatim.
 *
 * <p>Everything but {@code ackId} and {@code deliveryAttempt} (and a frame's {@code type}) is the
 * same for every delivery of one message, to every subscription: that part is encoded once and kept in a small
 * cache keyed by the message's {@code data} instance, which all deliveries of a message read from
 * one node's log share. A fan-out to ten subscriptions encodes each message once, not ten times.
 * The cache keeps only messages of up to {@link #CACHED_MAX_CHARS} (a larger one is encoded per
 * delivery), so what it holds stays bounded whatever the message size limit.
 */
public final class DeliveryJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  /** Slots of the encoding cache (a power of two); a slot holds the newest message hashed to it. */
  private static final int CACHE_SLOTS = 4096;

  /**
   * The largest encoded members the cache keeps, so it holds at most about 48 MiB (each slot's data,
   * members and their UTF-8) whatever the message size limit.
   */
  static final int CACHED_MAX_CHARS = 4 * 1024;

  private static final Encoded[] CACHE = new Encoded[CACHE_SLOTS];

  private static final byte[] ACK_ID_OPEN = ascii("{\"ackId\":\"");
  private static final byte[] ACK_ID_CLOSE = ascii("\",");
  private static final byte[] ATTEMPT = ascii(",\"deliveryAttempt\":");

  /**
   * A message's shared fields (all from {@code id} to {@code data}) as JSON members, no braces,
   * as text and as UTF-8.
   */
  private record Encoded(
      String data, String topic, int partition, long offset, String members, byte[] utf8) {
    boolean isOf(DeliveryRecord r) {
      return data == r.data()
          && offset == r.offset()
          && partition == r.partition()
          && topic.equals(r.topic());
    }
  }

  private DeliveryJson() {}

  public static String write(DeliveryRecord r) {
    return record(null, r);
  }

  /**
   * The record without {@code ackId} and {@code deliveryAttempt}: a message as a query over
   * history answers it, where nothing was delivered.
   */
  public static String undelivered(DeliveryRecord r) {
    return "{" + members(r) + "}";
  }

  /** The record with a leading {@code "type"} field: a WebSocket frame. */
  public static String frame(String type, DeliveryRecord r) {
    return record(type, r);
  }

  private static String record(String type, DeliveryRecord r) {
    String members = members(r);
    StringBuilder out = new StringBuilder(members.length() + 80).append('{');
    if (type != null) {
      out.append("\"type\":\"").append(type).append("\",");
    }
    return ackId(out, r.ackId())
        .append(members)
        .append(",\"deliveryAttempt\":")
        .append(r.deliveryAttempt())
        .append('}')
        .toString();
  }

  private static StringBuilder ackId(StringBuilder out, String ackId) {
    out.append("\"ackId\":\"");
    JsonStringEncoder.getInstance().quoteAsString(ackId, out);
    return out.append("\",");
  }

  /** Writes one record to an open generator (several records may share one). */
  public static void write(JsonGenerator g, DeliveryRecord r) throws IOException {
    g.writeRawValue(write(r));
  }

  /**
   * Writes the record as UTF-8 bytes, the shared members copied as they were encoded once: what
   * a stream of many deliveries (SSE) writes without a generator or a character copy.
   */
  public static void writeUtf8(DeliveryRecord r, OutputStream out) throws IOException {
    out.write(ACK_ID_OPEN);
    out.write(JsonStringEncoder.getInstance().quoteAsUTF8(r.ackId()));
    out.write(ACK_ID_CLOSE);
    out.write(encoded(r).utf8());
    out.write(ATTEMPT);
    out.write(ascii(Integer.toString(r.deliveryAttempt())));
    out.write('}');
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * The shared members, from the cache when this message was encoded lately. Slots are written
   * without locks: a racing reader sees either entry whole (records are immutable), and a miss
   * only costs an encoding.
   */
  private static String members(DeliveryRecord r) {
    return encoded(r).members();
  }

  private static Encoded encoded(DeliveryRecord r) {
    int slot = System.identityHashCode(r.data()) & (CACHE_SLOTS - 1);
    Encoded cached = CACHE[slot];
    if (cached != null && cached.isOf(r)) {
      return cached;
    }
    String members = encodeMembers(r);
    Encoded encoded =
        new Encoded(
            r.data(), r.topic(), r.partition(), r.offset(), members,
            members.getBytes(StandardCharsets.UTF_8));
    if (members.length() <= CACHED_MAX_CHARS) {
      CACHE[slot] = encoded;
    }
    return encoded;
  }

  private static String encodeMembers(DeliveryRecord r) {
    StringWriter out = new StringWriter(r.data().length() + 320 + (r.key() == null ? 0 : r.key().length()));
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
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
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StringBuffer whole = out.getBuffer();
    return whole.substring(1, whole.length() - 1);
  }
}
