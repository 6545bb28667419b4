package dev.courier.client;

import java.util.Optional;

/**
 * The event-stream interpretation of the HTML standard, one line at a time (line endings already
 * removed): {@code data} lines accumulate (joined by newlines), {@code id} sets the last event id
 * (kept across events, ignored if it contains NUL), {@code event} names the type, {@code retry}
 * (digits only) sets the reconnection time, comments and unknown fields are ignored, and a blank
 * line dispatches. Data is bounded: an event larger than the bound is an error, not a buffer
 * that grows.
 */
public final class SseParser {
  private final int maxDataChars;
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private String eventType = "";
  private String lastEventId;
  private Long retryMillis;

  public SseParser(int maxDataChars) {
    this.maxDataChars = maxDataChars;
  }

  /** Starts from the id a reconnect sent as {@code Last-Event-ID}. */
  public SseParser(int maxDataChars, String lastEventId) {
    this(maxDataChars);
    this.lastEventId = lastEventId;
  }

  /** Takes one line; returns the event a blank line dispatches. */
  public Optional<SseEvent> line(String line) {
    if (line.isEmpty()) {
      return dispatch();
    }
    if (line.charAt(0) == ':') {
      return Optional.empty();
    }
    int colon = line.indexOf(':');
    String field = colon < 0 ? line : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "data" -> {
        if (data.length() + value.length() + 1 > maxDataChars) {
          throw new IllegalStateException("event data larger than " + maxDataChars + " characters");
        }
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      case "event" -> eventType = value;
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          lastEventId = value;
        }
      }
      case "retry" -> {
        if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')
            && value.length() < 18) {
          retryMillis = Long.parseLong(value);
        }
      }
      default -> { }
    }
    return Optional.empty();
  }

  private Optional<SseEvent> dispatch() {
    if (!hasData) {
      eventType = "";
      return Optional.empty();
    }
    SseEvent event =
        new SseEvent(lastEventId, eventType.isEmpty() ? "message" : eventType, data.toString());
    data.setLength(0);
    hasData = false;
    eventType = "";
    return Optional.of(event);
  }

  /** The last event id seen (what a reconnect sends as {@code Last-Event-ID}). */
  public String lastEventId() {
    return lastEventId;
  }

  /** The reconnection time the server last asked for with {@code retry:}. */
  public Optional<Long> retryMillis() {
    return Optional.ofNullable(retryMillis);
  }
}
