package dev.courier.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A subscription's settings and live state as the server shows them; {@link #json()} keeps all
 * of it.
 */
public record Subscription(JsonNode json) {
  public String name() {
    return json.path("name").asText();
  }

  public String topic() {
    return json.path("topic").asText();
  }

  public String startAt() {
    return json.path("startAt").asText(null);
  }

  public String overflow() {
    return json.path("overflow").asText(null);
  }

  public String cursor() {
    return json.path("cursor").asText(null);
  }

  public long backlog() {
    return json.path("backlog").asLong();
  }

  public double lagSeconds() {
    return json.path("lagSeconds").asDouble();
  }

  public long delivered() {
    return json.path("delivered").asLong();
  }

  public long acked() {
    return json.path("acked").asLong();
  }

  public int consumers() {
    return json.path("consumers").asInt();
  }
}
