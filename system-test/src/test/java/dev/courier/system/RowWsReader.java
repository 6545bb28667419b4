package dev.courier.system;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.Delivery;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A WebSocket consumer of an aggregation subscription's rows that acks each row as it reads it and
 * reconnects to the next node when its socket closes. It keeps the first row of each window and
 * group, and besides what {@link AckingWsReader} checks (no confirmed ack delivered again) records
 * a second row for a window and group that is not a redelivery of the first (another id or other
 * values): a window's rows computed twice.
 */
final class RowWsReader extends AckingWsReader {
  private final String groupColumn;
  /** The first delivery of each "windowStart/group". */
  final Map<String, Delivery> rows = new ConcurrentHashMap<>();
  final AtomicInteger redeliveries = new AtomicInteger();

  RowWsReader(IntFunction<String> nodeUrl, int nodes, int firstNode, String subscription,
      String groupColumn) {
    super(nodeUrl, nodes, firstNode, subscription, new Tally(subscription));
    this.groupColumn = groupColumn;
  }

  @Override
  protected void received(Delivery d) {
    JsonNode data = d.data();
    String group = data.path("windowStart").asText() + "/" + data.path(groupColumn).asText();
    Delivery first = rows.putIfAbsent(group, d);
    if (first != null) {
      redeliveries.incrementAndGet();
      if (!first.id().equals(d.id()) || !first.data().equals(data)) {
        violations.add("a second row for " + group + ": " + first + " then " + d);
      }
    }
    tally.record(d.id(), d.partition(), d.offset());
  }
}
