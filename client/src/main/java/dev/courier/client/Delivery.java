package dev.courier.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * The delivery record every protocol carries ({@code ackId} is absent from {@code latest}); data
 * is kept as the JSON tree it arrived as.
 */
public record Delivery(
    String ackId,
    String id,
    String topic,
    int partition,
    long offset,
    String key,
    String publishTime,
    Map<String, String> attributes,
    JsonNode data,
    int deliveryAttempt) {

  static Delivery from(JsonNode json) {
    return Json.convert(json, Delivery.class);
  }
}
