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
import java.util.function.IntFunction;

/**
 * A WebSocket consumer that acks every message as it reads it and reconnects to the next node when
 * its socket closes, recording the breach G4 forbids: a message whose ack was confirmed
 * ({@code acked} frame) delivered again. What else a delivery must satisfy is its subclass's.
 */
abstract class AckingWsReader extends ReconnectingReader {
  protected static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, String> idByAckId = new ConcurrentHashMap<>();
  private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
  final List<String> violations = new CopyOnWriteArrayList<>();
  private volatile WebSocket socket;

  AckingWsReader(
      IntFunction<String> nodeUrl, int nodes, int firstNode, String subscription, Tally tally) {
    super(nodeUrl, nodes, firstNode, subscription, tally);
  }

  /** Checks and records one {@code message} frame; it is acked once this returns. */
  protected abstract void received(JsonNode frame);

  @Override
  protected final void readUntilClosed(String baseUrl) throws Exception {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    socket = SystemHttp.CLIENT.newWebSocketBuilder()
        .buildAsync(URI.create(baseUrl.replace("http", "ws")
            + "/v1/subscriptions/" + subscription + "/ws"), new Listener(closed))
        .get(5, TimeUnit.SECONDS);
    closed.join();
  }

  @Override
  protected final void close() {
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
    if (confirmed.contains(id)) {
      violations.add("acked " + id + " delivered again (attempt "
          + f.get("deliveryAttempt").asInt() + "): " + f);
    }
    idByAckId.put(ackId, id);
    received(f);
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
