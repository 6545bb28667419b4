package dev.courier.node.metrics;

/** How a delivery reached its consumer: the {@code protocol} label of delivery and consumer series. */
public enum DeliveryProtocol {
  SSE("sse"),
  WEBSOCKET("websocket"),
  POLL("poll"),
  PUSH("push");

  private final String label;

  DeliveryProtocol(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
