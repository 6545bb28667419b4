package dev.courier.system;

import dev.courier.client.Delivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;

/**
 * A long-polling consumer on the client library: polls a node, acks what it got, polls again;
 * moves to the next node when a request fails. A message whose ack was answered 200 (durable)
 * must never come again.
 */
final class PollReader extends ReconnectingReader {
  private final IntFunction<String> nodeUrl;
  private final int nodes;
  private final Set<String> acked = ConcurrentHashMap.newKeySet();
  final List<String> violations = new CopyOnWriteArrayList<>();

  PollReader(IntFunction<String> nodeUrl, int nodes, int firstNode, String subscription,
      Tally tally) {
    super(nodeUrl, nodes, firstNode, subscription, tally);
    this.nodeUrl = nodeUrl;
    this.nodes = nodes;
  }

  @Override
  protected void readUntilClosed(String baseUrl) {
    while (running()) {
      // A non-2xx answer or a failed connection throws: the next node is tried.
      List<Delivery> got =
          LocalCluster.client(baseUrl).poll(subscription, 200, Duration.ofSeconds(2));
      List<String> ackIds = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (Delivery m : got) {
        if (acked.contains(m.id())) {
          violations.add("acked " + m.id() + " delivered again (attempt "
              + m.deliveryAttempt() + ")");
        }
        tally.record(m.id(), m.partition(), m.offset());
        ackIds.add(m.ackId());
        ids.add(m.id());
      }
      if (!ackIds.isEmpty() && ack(baseUrl, ackIds)) {
        acked.addAll(ids);
      }
    }
  }

  /** Acks at {@code baseUrl}, or, if that node is going away, at any other: ack ids are global. */
  private boolean ack(String baseUrl, List<String> ackIds) {
    List<String> urls = new ArrayList<>(List.of(baseUrl));
    for (int n = 1; n <= nodes; n++) {
      urls.add(nodeUrl.apply(n));
    }
    for (String u : urls) {
      try {
        LocalCluster.client(u).ack(subscription, ackIds);
        return true;
      } catch (RuntimeException e) {
        // that node is down or said no: try the next
      }
    }
    return false;
  }

  @Override
  protected void close() {
    // each poll ends within its wait
  }
}
