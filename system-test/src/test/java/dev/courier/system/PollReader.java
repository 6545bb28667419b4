package dev.courier.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;

/**
 * A long-polling consumer: polls a node, acks what it got, polls again; moves to the next node when
 * a request fails. A message whose ack was answered 200 (durable) must never come again.
 */
final class PollReader extends ReconnectingReader {
  private static final ObjectMapper JSON = new ObjectMapper();

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
  protected void readUntilClosed(String baseUrl) throws Exception {
    String url = baseUrl + "/v1/subscriptions/" + subscription;
    while (running()) {
      var r = SystemHttp.send("GET", url + "/messages?max=200&wait=PT2S", null);
      if (r.statusCode() != 200) {
        return;
      }
      List<String> ackIds = new ArrayList<>();
      Map<String, String> ids = new HashMap<>();
      for (JsonNode m : JSON.readTree(r.body()).get("messages")) {
        String id = m.get("id").asText();
        if (acked.contains(id)) {
          violations.add("acked " + id + " delivered again (attempt "
              + m.get("deliveryAttempt").asInt() + ")");
        }
        tally.record(id, m.get("partition").asInt(), m.get("offset").asLong());
        ackIds.add(m.get("ackId").asText());
        ids.put(m.get("ackId").asText(), id);
      }
      if (!ackIds.isEmpty() && ack(baseUrl, JSON.writeValueAsString(Map.of("ackIds", ackIds)))) {
        acked.addAll(ids.values());
      }
    }
  }

  /** Acks at {@code baseUrl}, or, if that node is going away, at any other: ack ids are global. */
  private boolean ack(String baseUrl, String body) {
    List<String> urls = new ArrayList<>(List.of(baseUrl));
    for (int n = 1; n <= nodes; n++) {
      urls.add(nodeUrl.apply(n));
    }
    for (String u : urls) {
      try {
        if (SystemHttp.send("POST", u + "/v1/subscriptions/" + subscription + "/ack", body)
            .statusCode() == 200) {
          return true;
        }
      } catch (RuntimeException e) {
        // that node is down: try the next
      }
    }
    return false;
  }

  @Override
  protected void close() {
    // each poll ends within its wait
  }
}
