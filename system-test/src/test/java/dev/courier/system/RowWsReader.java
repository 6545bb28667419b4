package dev.courier.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.WebSocket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A WebSocket consumer of an aggregation subscription's rows that acks each row as it reads it and
 * reconnects to the next node when its socket closes. It keeps one row per window and group and
 * records what exactly-once forbids: a second row for a window and group that is not a redelivery
 * of the first (another id or other values), and a row delivered again after its ack was
 * confirmed.
 */
final class RowWsReader extends ReconnectingReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String groupColumn;
  /** The first delivery of each "windowStart/group". */
  final Map<String, JsonNode> rows = new ConcurrentHashMap<>();
  private final Map<String, String> idByAckId = new ConcurrentHashMap<>();
  private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
  final List<String> violations = new CopyOnWriteArrayList<>();
  final AtomicInteger redeliveries = new AtomicInteger();
  private volatile WebSocket socket;

  RowWsReader(IntFunction<String> nodeUrl, int nodes, int firstNode, String subscription,
      String groupColumn) {
    super(nodeUrl, nodes, firstNode, subscription, new Tally(subscription));
    this.groupColumn = groupColumn;
  }

  @Override
  protected void readUntilClosed(String baseUrl) throws Exception {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    socket = SystemHttp.CLIENT.newWebSocketBuilder()
        .buildAsync(URI.create(baseUrl.replace("http", "ws")
            + "/v1/subscriptions/" + subscription + "/ws"), new Listener(closed))
        .get(5, TimeUnit.SECONDS);
    closed.join();
  }

  @Override
  protected void close() {
    WebSocket ws = socket;
    if (ws != null) {
      ws.abort();
    }
  }

  private void handle(WebSocket ws, String text) throws Exception {
    JsonNode f = JSON.readTree(text);
    String type = f.path("type").asText();
    if (type.equals("acked")) {
      f.get("ackIds").forEach(a -> {
        String id = idByAckId.get(a.asText());
        if (id != null) {
          confirmed.add(id);
        }
      });
      return;
    }
    if (!type.equals("message")) {
      return;
    }
    String id = f.get("id").asText();
    String ackId = f.get("ackId").asText();
    JsonNode data = f.get("data");
    if (confirmed.contains(id)) {
      violations.add("acked row " + id + " delivered again: " + f);
    }
    String group = data.path("windowStart").asText() + "/" + data.path(groupColumn).asText();
    JsonNode first = rows.putIfAbsent(group, f);
    if (first != null) {
      redeliveries.incrementAndGet();
      if (!first.get("id").equals(f.get("id")) || !first.get("data").equals(data)) {
        violations.add("a second row for " + group + ": " + first + " then " + f);
      }
    }
    tally.record(id, f.get("partition").asInt(), f.get("offset").asLong());
    idByAckId.put(ackId, id);
    ws.sendText("{\"type\":\"ack\",\"ackIds\":[\"" + ackId + "\"]}", true).join();
  }

  private final class Listener implements WebSocket.Listener {
    private final CompletableFuture<Void> closed;
    private final StringBuilder partial = new StringBuilder();

    Listener(CompletableFuture<Void> closed) {
      this.closed = closed;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          handle(ws, partial.toString());
        } catch (Exception e) {
          if (running()) {
            violations.add("unreadable frame or failed ack: " + e);
          }
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      closed.complete(null);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.complete(null);
    }
  }
}
