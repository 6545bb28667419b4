package dev.courier.system;

import dev.courier.client.Delivery;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * A WebSocket consumer of an ordered subscription that acks every message as it reads it and
 * reconnects to the next node when its socket closes. Besides what {@link AckingWsReader} checks
 * (no confirmed ack delivered again), each key's messages must first arrive in publish order.
 */
final class WsReader extends AckingWsReader {
  private final Map<String, Long> lastSeqPerKey = new ConcurrentHashMap<>();

  WsReader(IntFunction<String> nodeUrl, int nodes, int firstNode, String subscription, Tally tally) {
    super(nodeUrl, nodes, firstNode, subscription, tally);
  }

  @Override
  protected void received(Delivery d) {
    if (tally.record(d.id(), d.partition(), d.offset())) {
      long seq = d.data().get("seq").asLong();
      Long before = lastSeqPerKey.put(d.key(), seq);
      if (before != null && before > seq) {
        violations.add("key " + d.key() + " went from " + before + " to " + seq);
      }
    }
  }
}
