package dev.courier.query;

import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.topic.StoredMessage;
import java.time.Instant;
import java.util.Map;

/**
 * The fields of a message a query can read. {@code data} is the message's JSON value as text; it
 * is parsed only if the query reads a {@code data.} path.
 */
public record QueryMessage(
    String key,
    int partition,
    long offset,
    Instant publishTime,
    Map<String, String> attributes,
    String data) {

  public QueryMessage {
    attributes = attributes == null ? Map.of() : attributes;
  }

  public static QueryMessage of(StoredMessage m) {
    return new QueryMessage(
        m.key(), m.partition(), m.offset(), m.publishTime(), m.attributes(), m.data());
  }

  public static QueryMessage of(DeliveryRecord r) {
    return new QueryMessage(
        r.key(), r.partition(), r.offset(), r.publishTime(), r.attributes(), r.data());
  }
}
