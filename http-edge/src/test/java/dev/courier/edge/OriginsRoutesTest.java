package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pages of other sites: refused (WebSocket upgrades, SSE, publishes), unless configured, then
 * answered with CORS headers and preflights; clients that send no Origin are unaffected.
 */
class OriginsRoutesTest {
  private static final String APP = "https://app.example";
  private static final HttpClient client = HttpClient.newHttpClient();
  private static GuardedServer server;

  @BeforeAll
  static void start() throws Exception {
    server = GuardedServer.start("courier.http.allowed-origins = \"" + APP + "\"");
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  /** A raw exchange: the status line's code and the answer's headers (names in lower case). */
  record Head(int status, Map<String, String> headers) {}

  private Head raw(String head) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      var in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
          StandardCharsets.US_ASCII));
      int status = Integer.parseInt(in.readLine().split(" ")[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
      return new Head(status, headers);
    }
  }

  private Head upgrade(String origin) throws Exception {
    return raw("GET /v1/topics/orders/publish HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n");
  }

  @Test
  void aWebSocketUpgradeFromAForeignPageIsRefused() throws Exception {
    Head foreign = upgrade("http://evil.example");
    assertEquals(403, foreign.status());
    assertTrue(foreign.headers().get("content-type").startsWith("application/problem+json"));
    assertEquals(101, upgrade(null).status(), "no Origin: not a browser page");
    assertEquals(101, upgrade("http://127.0.0.1:" + server.port()).status(), "the node's own origin");
    assertEquals(101, upgrade(APP).status(), "a configured origin");
  }

  @Test
  void anSseStreamFromAForeignPageIsRefused() throws Exception {
    Head foreign = raw("GET /v1/subscriptions/s1/events HTTP/1.1\r\nHost: 127.0.0.1:"
        + server.port() + "\r\nAccept: text/event-stream\r\nOrigin: http://evil.example\r\n\r\n");
    assertEquals(403, foreign.status());
  }

  @Test
  void aPublishFromAForeignPageIsRefusedAndStoresNothing() throws Exception {
    server.backend().published.clear();
    HttpResponse<String> r = client.send(
        HttpRequest.newBuilder(URI.create(server.base() + "/v1/topics/orders/messages"))
            .header("Content-Type", "application/json")
            .header("Origin", "http://evil.example")
            .POST(HttpRequest.BodyPublishers.ofString("{\"data\":1}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, r.statusCode());
    assertTrue(r.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    assertTrue(server.backend().published.isEmpty());
  }

  @Test
  void anAllowedOriginGetsCorsHeadersAndPreflights() throws Exception {
    Head preflight = raw("OPTIONS /v1/topics/orders/messages HTTP/1.1\r\nHost: 127.0.0.1:"
        + server.port() + "\r\nOrigin: " + APP + "\r\nAccess-Control-Request-Method: POST\r\n"
        + "Access-Control-Request-Headers: content-type, authorization\r\n\r\n");
    assertEquals(204, preflight.status());
    assertEquals(APP, preflight.headers().get("access-control-allow-origin"));
    assertTrue(preflight.headers().get("access-control-allow-methods").contains("POST"));
    assertTrue(preflight.headers().get("access-control-allow-headers").contains("Content-Type"));
    assertTrue(preflight.headers().get("access-control-allow-headers").contains("Authorization"));

    Head foreignPreflight = raw("OPTIONS /v1/topics/orders/messages HTTP/1.1\r\nHost: x\r\n"
        + "Origin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\n\r\n");
    assertEquals(403, foreignPreflight.status());
    assertTrue(!foreignPreflight.headers().containsKey("access-control-allow-origin"));

    HttpResponse<String> read = client.send(
        HttpRequest.newBuilder(URI.create(server.base() + "/v1/topics/orders"))
            .header("Origin", APP).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, read.statusCode());
    assertEquals(APP, read.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
    HttpResponse<String> missing = client.send(
        HttpRequest.newBuilder(URI.create(server.base() + "/v1/topics/nope"))
            .header("Origin", APP).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(404, missing.statusCode());
    assertEquals(APP, missing.headers().firstValue("Access-Control-Allow-Origin").orElse(""),
        "a page can read the problem of a failed request too");
  }
}
