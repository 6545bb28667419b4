package dev.courier.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One dispatched Server-Sent Event: {@code id} is the stream's last event id when it was
 * dispatched (a Courier cursor, null before the first), {@code event} its type ({@code message}
 * unless named, e.g. {@code lag}), {@code data} its data lines joined with newlines.
 */
public record SseEvent(String id, String event, String data) {

  /** A {@code message} event's delivery record. */
  public Delivery delivery() {
    return Delivery.from(json());
  }

  public JsonNode json() {
    return Json.parse(data);
  }

  public boolean isMessage() {
    return "message".equals(event);
  }
}
