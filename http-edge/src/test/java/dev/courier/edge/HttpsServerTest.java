package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP port with {@code courier.http.tls} set serves HTTPS only: a client trusting the
 * keystore's certificate is answered, a plain-HTTP request is not answered as HTTP.
 */
class HttpsServerTest {
  @TempDir static Path dir;
  private static TestKeystore keystore;
  private static GuardedServer server;

  @BeforeAll
  static void start() throws Exception {
    keystore = TestKeystore.create(dir, "s3cret-store");
    server = GuardedServer.start("courier.http.tls { keystore = \""
        + keystore.file().toString().replace("\\", "/") + "\", password = \""
        + keystore.password() + "\" }");
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  @Test
  void aClientTrustingTheCertificateGetsReadyOverHttps() throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(keystore.trustingClient()).build();
    HttpResponse<String> ready = client.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/health/ready"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals("TLSv1.3", ready.sslSession().orElseThrow().getProtocol());
  }

  @Test
  void aClientNotTrustingTheCertificateIsRefused() {
    HttpClient client = HttpClient.newHttpClient();
    assertThrows(SSLHandshakeException.class, () -> client.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/health/ready"))
            .build(),
        HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void aPlainHttpRequestIsNotAnsweredAsHttp() throws Exception {
    byte[] answer;
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(
          "GET /health/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      answer = readUntilClosed(socket.getInputStream());
    }
    String text = new String(answer, StandardCharsets.ISO_8859_1);
    assertFalse(text.startsWith("HTTP/"), "plain HTTP got an HTTP answer: " + text);
  }

  /** What the server sends until it closes the connection (or stays silent for 10 s). */
  private static byte[] readUntilClosed(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[4096];
    try {
      for (int n = in.read(buf); n >= 0 && out.size() < 65536; n = in.read(buf)) {
        out.write(buf, 0, n);
      }
    } catch (SocketTimeoutException | java.net.SocketException closedOrSilent) {
      // a TLS server may reset the connection or wait for a handshake that never comes
    }
    return out.toByteArray();
  }
}
