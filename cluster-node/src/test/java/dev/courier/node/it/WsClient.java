package dev.courier.node.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A WebSocket client on the JDK's java.net.http, as an outside consumer would use it. */
final class WsClient implements AutoCloseable {
  private final WebSocket socket;
  private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();

  private WsClient(String url) {
    this.socket =
        Http.CLIENT
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(URI.create(url.replaceFirst("^http", "ws")), new Listener())
            .join();
  }

  static WsClient open(String url) {
    return new WsClient(url);
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          frames.add(Http.JSON.readTree(partial.toString()));
        } catch (Exception e) {
          throw new IllegalStateException("server sent a frame that is not JSON: " + partial, e);
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }
  }

  void send(String text) {
    socket.sendText(text, true).join();
  }

  /** Sends part of a text frame: the frame ends with the part sent with {@code last}. */
  void sendPart(String text, boolean last) {
    socket.sendText(text, last).join();
  }

  void sendBinary(byte[] bytes) {
    socket.sendBinary(java.nio.ByteBuffer.wrap(bytes), true).join();
  }

  void ack(List<String> ackIds) {
    send("{\"type\":\"ack\",\"ackIds\":" + Http.JSON.valueToTree(ackIds) + "}");
  }

  /** The next frame, waiting up to 30 s for it. */
  JsonNode next() throws InterruptedException {
    JsonNode frame = frames.poll(30, TimeUnit.SECONDS);
    if (frame == null) {
      throw new AssertionError("no frame within 30 s");
    }
    return frame;
  }

  /** The next frame of a type, skipping others. */
  JsonNode next(String type) throws InterruptedException {
    while (true) {
      JsonNode f = next();
      if (type.equals(f.path("type").asText())) {
        return f;
      }
    }
  }

  /** The next {@code n} message frames (other frames are dropped). */
  List<JsonNode> messages(int n) throws InterruptedException {
    List<JsonNode> out = new ArrayList<>(n);
    while (out.size() < n) {
      out.add(next("message"));
    }
    return out;
  }

  /** A frame if one comes within {@code wait}, else null. */
  JsonNode poll(Duration wait) throws InterruptedException {
    return frames.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    socket.abort();
  }
}
