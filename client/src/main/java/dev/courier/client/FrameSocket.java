package dev.courier.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A WebSocket of raw JSON text frames, for Courier's frame protocols spoken directly: the publish
 * stream, or a consumer socket whose every frame the caller wants to see. Frames are read only
 * while fewer than {@link #QUEUE_CAPACITY} wait unread, so a slow reader holds the socket back
 * instead of growing memory.
 */
public final class FrameSocket implements AutoCloseable {
  /** Frames read ahead of the caller at most. */
  public static final int QUEUE_CAPACITY = 4096;
  /** How long {@link #next()} and its kin wait for a frame. */
  public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);
  /** The longest text frame accepted; a longer one aborts the socket (1009). */
  public static final int MAX_FRAME_CHARS = 16 * 1024 * 1024;

  private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final Object flow = new Object();
  private volatile String closeReason = "";
  private volatile Instant closedAt;
  private boolean paused;
  private WebSocket socket;

  private FrameSocket() {}

  static FrameSocket connect(HttpClient http, URI uri, Optional<String> token,
      Duration handshakeTimeout) {
    FrameSocket s = new FrameSocket();
    s.socket = Handshake.open(http, uri, token, handshakeTimeout, s.new Listener());
    return s;
  }

  /** Sends one text frame, waiting until it is handed to the network. */
  public void send(String text) {
    await(socket.sendText(text, true));
  }

  /**
   * Sends part of a text message (a WebSocket fragment): the message ends with the part sent with
   * {@code last}. For a message too large to hold at once, or streamed as it is made.
   */
  public void sendPart(String text, boolean last) {
    await(socket.sendText(text, last));
  }

  /** Sends one binary frame (Courier's protocols answer it with a close). */
  public void sendBinary(byte[] bytes) {
    await(socket.sendBinary(ByteBuffer.wrap(bytes), true));
  }

  /** The next frame as JSON, or null if none came within {@code timeout}. */
  public JsonNode poll(Duration timeout) throws InterruptedException {
    String text = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (text == null) {
      return null;
    }
    synchronized (flow) {
      if (paused && frames.size() < QUEUE_CAPACITY) {
        paused = false;
        socket.request(1);
      }
    }
    return Json.parse(text);
  }

  /** Sends a JSON value (a map, a record, a JsonNode) as one text frame. */
  public void sendJson(Object frame) {
    send(Json.write(frame));
  }

  /**
   * Sends an ack frame on a consumer socket; the server's {@code acked} frame, once they are
   * durable, comes like any other.
   */
  public void ack(List<String> ackIds) {
    Map<String, Object> frame = new LinkedHashMap<>();
    frame.put("type", "ack");
    frame.put("ackIds", ackIds);
    sendJson(frame);
  }

  /** The next frame, waiting up to {@link #DEFAULT_WAIT}. */
  public JsonNode next() throws InterruptedException {
    return next(DEFAULT_WAIT);
  }

  /** The next frame of a type, others skipped, waiting up to {@link #DEFAULT_WAIT}. */
  public JsonNode next(String type) throws InterruptedException {
    return next(type, DEFAULT_WAIT);
  }

  /** The next {@code count} frames of a type, others skipped, each within {@link #DEFAULT_WAIT}. */
  public List<JsonNode> next(String type, int count) throws InterruptedException {
    List<JsonNode> out = new ArrayList<>(count);
    while (out.size() < count) {
      out.add(next(type));
    }
    return out;
  }

  /**
   * The next frame as JSON; throws {@link UncheckedIOException} if none came within {@code
   * timeout}.
   */
  public JsonNode next(Duration timeout) throws InterruptedException {
    JsonNode frame = poll(timeout);
    if (frame == null) {
      throw new UncheckedIOException(
          new SocketTimeoutException("no frame within " + timeout + closeNote()));
    }
    return frame;
  }

  /** The next frame of a type, skipping others, all within {@code timeout}. */
  public JsonNode next(String type, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonNode frame = next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      if (type.equals(frame.path("type").asText())) {
        return frame;
      }
    }
  }

  /** How many frames arrived and wait unread. */
  public int unread() {
    return frames.size();
  }

  /**
   * The close code the server sent (1000, 1003, 1008, 1009, 1011...), waiting up to {@code
   * timeout} for it; throws {@link UncheckedIOException} if the socket is still open then or
   * failed without a close frame.
   */
  public int awaitClose(Duration timeout) throws InterruptedException {
    try {
      return closeCode.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new UncheckedIOException(new SocketTimeoutException("still open after " + timeout));
    } catch (ExecutionException e) {
      throw new UncheckedIOException(new IOException("socket failed: " + e.getCause(),
          e.getCause()));
    }
  }

  /** The reason in the server's close frame ("" before it came). */
  public String closeReason() {
    return closeReason;
  }

  /** When the server's close frame arrived, or null while open. */
  public Instant closedAt() {
    return closedAt;
  }

  /** Sends a normal close (1000) and lets the socket go. */
  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS)
          .exceptionally(e -> null).join();
    }
    socket.abort();
  }

  private String closeNote() {
    return closeCode.isDone() ? " (closed: " + closeCode.getNow(-1) + " " + closeReason + ")" : "";
  }

  private static void await(CompletableFuture<WebSocket> sent) {
    try {
      sent.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new UncheckedIOException(new IOException("send failed: " + e, e));
    }
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      if (partial.length() + data.length() > MAX_FRAME_CHARS) {
        webSocket.abort();
        closed(1009, "frame larger than " + MAX_FRAME_CHARS + " characters");
        return null;
      }
      partial.append(data);
      if (last) {
        frames.add(partial.toString());
        partial.setLength(0);
      }
      synchronized (flow) {
        if (frames.size() < QUEUE_CAPACITY) {
          webSocket.request(1);
        } else {
          paused = true;
        }
      }
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed(statusCode, reason);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closeCode.completeExceptionally(error);
    }
  }

  private void closed(int code, String reason) {
    if (!closeCode.isDone()) {
      closedAt = Instant.now();
      closeReason = reason;
      closeCode.complete(code);
    }
  }
}
