package dev.courier.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A message to publish: {@code data} is any JSON value; {@code id} (makes retries safe), {@code
 * key} (picks the partition, keeps order per key) and {@code attributes} are optional (null).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Message(String id, String key, JsonNode data, Map<String, String> attributes) {
  public Message {
    attributes = attributes == null || attributes.isEmpty() ? null : Map.copyOf(attributes);
  }

  /** A message with only data: any value Jackson can write (a String, a Map, a JsonNode...). */
  public static Message of(Object data) {
    return new Message(null, null, Json.MAPPER.valueToTree(data), null);
  }

  public Message withId(String newId) {
    return new Message(newId, key, data, attributes);
  }

  public Message withKey(String newKey) {
    return new Message(id, newKey, data, attributes);
  }

  public Message withAttributes(Map<String, String> newAttributes) {
    return new Message(id, key, data, newAttributes);
  }
}
