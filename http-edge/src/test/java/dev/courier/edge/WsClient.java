package dev.courier.edge;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The JDK's WebSocket client, collecting whole text frames as JSON, as any outside client would. */
final class WsClient implements AutoCloseable {
  private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private volatile String closeReason;
  private volatile long closedAtMillis;
  private final WebSocket socket;

  private WsClient(String url) throws Exception {
    this.socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .buildAsync(URI.create(url), new Collector())
            .get(10, TimeUnit.SECONDS);
  }

  static WsClient open(String url) throws Exception {
    return new WsClient(url);
  }

  void send(String text) throws Exception {
    socket.sendText(text, true).get(30, TimeUnit.SECONDS);
  }

  /** Sends part of a text frame: the frame ends with the part sent with {@code last}. */
  void sendPart(String text, boolean last) throws Exception {
    socket.sendText(text, last).get(30, TimeUnit.SECONDS);
  }

  /** The next frame if one comes within {@code millis}, else null. */
  JsonNode poll(long millis) throws Exception {
    String frame = frames.poll(millis, TimeUnit.MILLISECONDS);
    return frame == null ? null : Json.MAPPER.readTree(frame);
  }

  void sendBinary(byte[] bytes) throws Exception {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).get(30, TimeUnit.SECONDS);
  }

  /** The next frame the server sent; fails the test if none comes within 30 s. */
  JsonNode next() throws Exception {
    String frame = frames.poll(30, TimeUnit.SECONDS);
    if (frame == null) {
      throw new AssertionError("no frame within 30 s");
    }
    return Json.MAPPER.readTree(frame);
  }

  /** The close code the server sent; fails the test if the socket is not closed within 30 s. */
  int closeCode() throws Exception {
    return closeCode.get(30, TimeUnit.SECONDS);
  }

  /** The reason of the server's close frame (after {@link #closeCode()}). */
  String closeReason() {
    return closeReason;
  }

  /** When the close frame arrived, in epoch milliseconds (after {@link #closeCode()}). */
  long closedAtMillis() {
    return closedAtMillis;
  }

  /** How many frames arrived and have not been taken by {@link #next()}. */
  int unread() {
    return frames.size();
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS);
  }

  private final class Collector implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        frames.add(partial.toString());
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closedAtMillis = System.currentTimeMillis();
      closeReason = reason;
      closeCode.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closeCode.completeExceptionally(error);
    }
  }
}
