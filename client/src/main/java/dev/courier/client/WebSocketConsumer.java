package dev.courier.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A WebSocket consumer of a subscription: deliveries to take with {@link #next}, acks that
 * complete when the server says they are durable, nacks and credit. Frames are read only while
 * fewer than {@code queueCapacity} deliveries wait (plus at most one frame's worth), so a slow
 * taker holds the socket back instead of growing memory.
 */
public final class WebSocketConsumer implements AutoCloseable {

  /**
   * {@code credit}: the window to send on open (null keeps the subscription's {@code
   * maxInFlight}); {@code batch}: deliveries may share frames; {@code onNotice} gets lag and error
   * frames.
   */
  public record Options(
      Integer credit, boolean batch, int queueCapacity, int maxFrameChars,
      Consumer<JsonNode> onNotice) {
    public static Options defaults() {
      return new Options(null, false, 1024, 16 * 1024 * 1024, n -> { });
    }

    public Options credit(int messages) {
      return new Options(messages, batch, queueCapacity, maxFrameChars, onNotice);
    }

    public Options batch(boolean on) {
      return new Options(credit, on, queueCapacity, maxFrameChars, onNotice);
    }

    public Options onNotice(Consumer<JsonNode> handler) {
      return new Options(credit, batch, queueCapacity, maxFrameChars, handler);
    }
  }

  /** Bound of acks waiting for their {@code acked} frame. */
  static final int MAX_PENDING_ACKS = 100_000;

  private static final Delivery END = new Delivery(null, null, null, 0, 0, null, null, null, null, 0);

  private final Options options;
  private final LinkedBlockingQueue<Delivery> queue = new LinkedBlockingQueue<>();
  private final Map<String, CompletableFuture<Void>> pendingAcks = new ConcurrentHashMap<>();
  private final StringBuilder partial = new StringBuilder();
  private final Object flow = new Object();
  private WebSocket socket;
  private CompletableFuture<?> sends = CompletableFuture.completedFuture(null);
  private boolean paused;
  private volatile int closeCode = -1;
  private volatile String closeReason = "";

  private WebSocketConsumer(Options options) {
    this.options = options;
  }

  static WebSocketConsumer connect(HttpClient http, URI uri, Optional<String> token,
      Duration handshakeTimeout, Options options) {
    WebSocketConsumer c = new WebSocketConsumer(options);
    c.socket = Handshake.open(http, uri, token, handshakeTimeout, c.new Listener());
    if (options.credit() != null) {
      c.credit(options.credit());
    }
    return c;
  }

  /** The next delivery, or null if none came within {@code timeout}; throws once closed. */
  public Delivery next(Duration timeout) throws InterruptedException {
    Delivery d = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (d == END) {
      queue.offer(END);
      throw new IllegalStateException("socket closed: " + closeCode + " " + closeReason);
    }
    synchronized (flow) {
      if (paused && queue.size() < options.queueCapacity()) {
        paused = false;
        socket.request(1);
      }
    }
    return d;
  }

  /** Acks; the future completes when the server's {@code acked} frame says they are durable. */
  public CompletableFuture<Void> ack(List<String> ackIds) {
    if (pendingAcks.size() + ackIds.size() > MAX_PENDING_ACKS) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("more than " + MAX_PENDING_ACKS + " acks unconfirmed"));
    }
    List<CompletableFuture<Void>> each = new ArrayList<>();
    for (String id : ackIds) {
      each.add(pendingAcks.computeIfAbsent(id, k -> new CompletableFuture<>()));
    }
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("type", "ack");
    frame.put("ackIds", ackIds);
    send(frame);
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
  }

  /** Releases for redelivery after {@code delay}. */
  public void nack(List<String> ackIds, Duration delay) {
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("type", "nack");
    frame.put("ackIds", ackIds);
    frame.put("delay", delay.toString());
    send(frame);
  }

  /** Sets this socket's window: at most {@code messages} unacked deliveries outstanding. */
  public void credit(int messages) {
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("type", "credit");
    frame.put("messages", messages);
    send(frame);
  }

  /** The close code the server sent (1001, 1013, 1008...), or -1 while open. */
  public int closeCode() {
    return closeCode;
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      synchronized (flow) {
        sends = sends.handle((r, e) -> null)
            .thenCompose(x -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
      }
    }
    try {
      sends.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the socket is aborted below either way
    }
    socket.abort();
    ended(1000, "closed by client");
  }

  /** One send at a time, as java.net.http.WebSocket requires. */
  private void send(Map<String, Object> frame) {
    String text = Json.write(frame);
    synchronized (flow) {
      sends = sends.handle((r, e) -> null).thenCompose(x -> socket.sendText(text, true));
    }
  }

  private void frame(String text) {
    JsonNode json = Json.parse(text);
    switch (json.path("type").asText()) {
      case "message" -> queue.offer(Delivery.from(json));
      case "messages" -> json.path("messages").forEach(m -> queue.offer(Delivery.from(m)));
      case "acked" -> json.path("ackIds").forEach(id -> {
        CompletableFuture<Void> f = pendingAcks.remove(id.asText());
        if (f != null) {
          f.complete(null);
        }
      });
      default -> options.onNotice().accept(json);
    }
  }

  private void ended(int code, String reason) {
    if (closeCode == -1) {
      closeCode = code;
      closeReason = reason;
    }
    IllegalStateException gone = new IllegalStateException("socket closed: " + code + " " + reason);
    pendingAcks.values().forEach(f -> f.completeExceptionally(gone));
    pendingAcks.clear();
    queue.offer(END);
  }

  private final class Listener implements WebSocket.Listener {
    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      if (partial.length() + data.length() > options.maxFrameChars()) {
        webSocket.abort();
        ended(1009, "frame larger than " + options.maxFrameChars() + " characters");
        return null;
      }
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        frame(text);
      }
      synchronized (flow) {
        if (queue.size() < options.queueCapacity()) {
          webSocket.request(1);
        } else {
          paused = true;
        }
      }
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      ended(statusCode, reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      ended(1006, String.valueOf(error));
    }
  }
}
