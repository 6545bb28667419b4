package dev.courier.system;

import dev.courier.client.Delivery;
import dev.courier.client.WebSocketConsumer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;

/**
 * A WebSocket consumer on the client library that acks every message as it reads it and
 * reconnects to the next node when its socket closes, recording the breach G4 forbids: a message
 * whose ack was confirmed ({@code acked} frame) delivered again. What else a delivery must satisfy
 * is its subclass's.
 */
abstract class AckingWsReader extends ReconnectingReader {
  private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
  final List<String> violations = new CopyOnWriteArrayList<>();
  private volatile WebSocketConsumer socket;

  AckingWsReader(
      IntFunction<String> nodeUrl, int nodes, int firstNode, String subscription, Tally tally) {
    super(nodeUrl, nodes, firstNode, subscription, tally);
  }

  /** Checks and records one delivery; it is acked once this returns. */
  protected abstract void received(Delivery d);

  @Override
  protected final void readUntilClosed(String baseUrl) throws Exception {
    try (WebSocketConsumer ws = LocalCluster.client(baseUrl).webSocket(subscription,
        WebSocketConsumer.Options.defaults())) {
      socket = ws;
      while (running()) {
        // Throws once the socket closed: the next node is tried.
        Delivery d = ws.next(Duration.ofSeconds(1));
        if (d != null) {
          handle(ws, d);
        }
      }
    }
  }

  private void handle(WebSocketConsumer ws, Delivery d) {
    if (confirmed.contains(d.id())) {
      violations.add("acked " + d.id() + " delivered again (attempt " + d.deliveryAttempt() + "): "
          + d);
    }
    received(d);
    // Confirmed once the server's acked frame says the ack is durable; a socket that closes
    // first fails the future, and the message may rightly come again.
    ws.ack(List.of(d.ackId())).thenRun(() -> confirmed.add(d.id()));
  }

  @Override
  protected final void close() {
    WebSocketConsumer ws = socket;
    if (ws != null) {
      ws.close();
    }
  }
}
