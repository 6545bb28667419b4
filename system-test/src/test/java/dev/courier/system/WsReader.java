package dev.courier.system;

import com.fasterxml.jackson.databind.JsonNode;
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
  protected void received(JsonNode f) {
    if (tally.record(f.get("id").asText(), f.get("partition").asInt(), f.get("offset").asLong())) {
      long seq = f.get("data").get("seq").asLong();
      Long before = lastSeqPerKey.put(f.get("key").asText(), seq);
      if (before != null && before > seq) {
        violations.add("key " + f.get("key").asText() + " went from " + before + " to " + seq);
      }
    }
  }
}
