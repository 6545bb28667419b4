package dev.courier.edge;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An SSE request over a plain socket, as a browser's EventSource makes it (HTTP/1.1, chunked
 * answer), read line by line; closing it closes the connection at once, as a closed tab does.
 */
final class SseConnection implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final CountDownLatch ended = new CountDownLatch(1);
  final int status;
  final Map<String, String> headers = new HashMap<>();

  private SseConnection(int port, String path, String lastEventId) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    OutputStream out = socket.getOutputStream();
    String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        + (lastEventId == null ? "" : "Last-Event-ID: " + lastEventId + "\r\n") + "\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    in = new DataInputStream(socket.getInputStream());
    String statusLine = readLine();
    status = Integer.parseInt(statusLine.split(" ")[1]);
    for (String h = readLine(); !h.isEmpty(); h = readLine()) {
      int colon = h.indexOf(':');
      headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
    }
    Thread reader = new Thread(this::readBody, "sse-reader");
    reader.setDaemon(true);
    reader.start();
  }

  static SseConnection open(int port, String path) throws IOException {
    return new SseConnection(port, path, null);
  }

  /** The next line of the event stream, or null if none comes within {@code within}. */
  String nextLine(Duration within) throws InterruptedException {
    return lines.poll(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** True once the server has ended the stream (last chunk, or the connection closed). */
  boolean endedWithin(Duration within) throws InterruptedException {
    return ended.await(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void readBody() {
    StringBuilder partial = new StringBuilder();
    try {
      while (true) {
        int size = Integer.parseInt(readLine().trim(), 16);
        if (size == 0) {
          break;
        }
        byte[] chunk = new byte[size];
        in.readFully(chunk);
        readLine();
        partial.append(new String(chunk, StandardCharsets.UTF_8));
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
          lines.add(partial.substring(0, nl));
          partial.delete(0, nl + 1);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the connection closed
    } finally {
      ended.countDown();
    }
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new IOException("connection closed");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
