package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real sockets against a node allowed two connections: the third is answered 503 with Retry-After
 * and closed; a connection that does not finish its request head is closed by the head timeout,
 * which frees its place.
 */
class ConnectionLimitTest {
  private static GuardedServer server;

  @BeforeAll
  static void start() throws Exception {
    server = GuardedServer.start(
        "courier.http.connections { max = 2, head-timeout = 2s, retry-after = 3s }");
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  private static final String ALIVE = "GET /health/alive HTTP/1.1\r\nHost: x\r\n\r\n";

  private static Socket connect() throws IOException {
    Socket s = new Socket("127.0.0.1", server.port());
    s.setSoTimeout(15_000);
    return s;
  }

  /** Sends {@code head} and reads one answer's head: status and headers, lower-case names. */
  private static String exchange(Socket s, String head) throws IOException {
    s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    StringBuilder answer = new StringBuilder();
    InputStream in = s.getInputStream();
    int length = 0;
    String line;
    while (!(line = readLine(in)).isEmpty()) {
      answer.append(line.toLowerCase(Locale.ROOT)).append('\n');
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return answer + "\n" + new String(body, StandardCharsets.UTF_8);
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c == -1) {
        throw new IOException("closed after: " + b);
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  /** Whether the server closes {@code s} within its read timeout (EOF or a reset). */
  private static boolean closedByServer(Socket s) {
    try {
      return s.getInputStream().read() == -1;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  @Test
  void pastTheLimitANewConnectionIsAnswered503AndClosedAndAPlaceFreesUp() throws Exception {
    try (Socket a = connect(); Socket b = connect()) {
      assertTrue(exchange(a, ALIVE).startsWith("http/1.1 200"));
      assertTrue(exchange(b, ALIVE).startsWith("http/1.1 200"));
      // Both stay open: each starts a request and never finishes its head.
      a.getOutputStream().write("GET /health/alive HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));
      b.getOutputStream().write("GET /health/alive HTTP/1.1\r\nHo".getBytes(StandardCharsets.US_ASCII));

      try (Socket c = connect()) {
        String refused = exchange(c, ALIVE);
        assertTrue(refused.startsWith("http/1.1 503"), refused);
        assertTrue(refused.contains("retry-after: 3"), refused);
        assertTrue(refused.contains("content-type: application/problem+json"), refused);
        assertTrue(refused.contains("\"status\":503"), refused);
        assertTrue(closedByServer(c), "the refused connection is closed");
      }

      assertTrue(closedByServer(a), "a head not finished within head-timeout closes the connection");
      assertTrue(closedByServer(b));
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      try (Socket d = connect()) {
        String answer = exchange(d, ALIVE);
        if (answer.startsWith("http/1.1 200")) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        fail("no connection was served after the others closed");
      }
      Thread.onSpinWait();
    }
  }

  @Test
  void anIdleConnectionIsClosedAfterTheHeadTimeout() throws Exception {
    try (Socket idle = connect()) {
      long start = System.nanoTime();
      assertTrue(closedByServer(idle));
      long waitedMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(waitedMs < 12_000, "closed after " + waitedMs + " ms");
    }
  }

  @Test
  void anSseStreamOutlivesTheHeadTimeout() throws Exception {
    server.backend().registry.put("moving", dev.courier.port.CourierBackend.Existence.EXISTS);
    server.backend().entity = server.testKit().spawn(new StubSubscription().silent());
    try (Socket sse = connect()) {
      String head = exchangeHead(sse, "GET /v1/subscriptions/moving/events HTTP/1.1\r\nHost: x\r\n"
          + "Accept: text/event-stream\r\n\r\n");
      assertTrue(head.startsWith("http/1.1 200"), head);
      long until = System.nanoTime() + 5_000_000_000L; // 2.5 head timeouts
      while (System.nanoTime() < until) {
        assertTrue(sse.getInputStream().read() != -1, "the stream was closed");
      }
    }
  }

  /** Sends {@code head} and reads the answer's head only. */
  private static String exchangeHead(Socket s, String head) throws IOException {
    s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
    StringBuilder answer = new StringBuilder();
    String line;
    while (!(line = readLine(s.getInputStream())).isEmpty()) {
      answer.append(line.toLowerCase(Locale.ROOT)).append('\n');
    }
    return answer.toString();
  }

  private static final String UPGRADE = "GET /v1/topics/orders/publish HTTP/1.1\r\nHost: x\r\n"
      + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";

  @Test
  void openWebSocketsCountAgainstTheLimit() throws Exception {
    awaitServed();
    try (Socket a = upgraded(); Socket b = upgraded()) {
      // Upgraded connections hand over from the HTTP flow to the socket's frames: still counted.
      long deadline = System.nanoTime() + 5_000_000_000L;
      // The limit holds for as long as both sockets stay open, not only during their handshakes.
      while (System.nanoTime() < deadline) {
        try (Socket c = connect()) {
          String refused = exchange(c, ALIVE);
          assertTrue(refused.startsWith("http/1.1 503"), refused);
          assertTrue(refused.contains("retry-after: 3"), refused);
        }
        Thread.sleep(500);
      }
    }
    awaitServed();
  }

  /**
   * A connection upgraded to a WebSocket. A place may still be held for a moment by a connection
   * the test just closed (the server notices the close asynchronously): then the upgrade is
   * answered 503, and it is tried again on a new connection.
   */
  private static Socket upgraded() throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      Socket s = connect();
      String answer = exchange(s, UPGRADE);
      if (answer.startsWith("http/1.1 101")) {
        return s;
      }
      s.close();
      assertTrue(answer.startsWith("http/1.1 503"), answer);
      if (System.nanoTime() > deadline) {
        fail("no upgrade was served: " + answer);
      }
      Thread.sleep(50);
    }
  }

  /** Waits until a new connection is served (places freed by closed ones). */
  private static void awaitServed() throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      try (Socket d = connect()) {
        if (exchange(d, ALIVE).startsWith("http/1.1 200")) {
          return;
        }
      }
      if (System.nanoTime() > deadline) {
        fail("no connection was served after the others closed");
      }
      Thread.sleep(50);
    }
  }
}
