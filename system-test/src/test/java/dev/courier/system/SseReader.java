package dev.courier.system;

import dev.courier.client.Delivery;
import dev.courier.client.SseConsumer;
import dev.courier.client.SseEvent;
import java.time.Duration;
import java.util.function.IntFunction;

/**
 * An SSE consumer on the client library that, when the stream ends or its node dies, connects
 * again to the next node, sending the Last-Event-ID of the last event it got, as a browser's
 * EventSource resumes (each connection is one {@link SseConsumer} without reconnects of its own).
 */
final class SseReader extends ReconnectingReader {
  private volatile SseConsumer open;
  private String lastEventId;

  SseReader(IntFunction<String> nodeUrl, int nodes, int firstNode, String subscription, Tally tally) {
    super(nodeUrl, nodes, firstNode, subscription, tally);
  }

  @Override
  protected void readUntilClosed(String baseUrl) throws Exception {
    try (SseConsumer sse = LocalCluster.client(baseUrl).sse(subscription,
        SseConsumer.Options.defaults().reconnect(false).resumeAfter(lastEventId))) {
      open = sse;
      while (running()) {
        // Throws once this connection ended: the next node is tried.
        SseEvent e = sse.next(Duration.ofSeconds(1));
        if (e != null && e.isMessage()) {
          Delivery d = e.delivery();
          tally.record(d.id(), d.partition(), d.offset());
          lastEventId = e.id();
        }
      }
    }
  }

  @Override
  protected void close() {
    SseConsumer sse = open;
    if (sse != null) {
      sse.close();
    }
  }
}
