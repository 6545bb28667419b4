package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bodies of any type but JSON are refused 415 before a route reads them. */
class JsonBodiesRoutesTest extends DefaultEdgeTest {
  @BeforeEach
  void reset() {
    server.backend().published.clear();
  }

  private static HttpResponse<String> send(String method, String path, String type, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.base() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assert415(HttpResponse<String> r) {
    assertEquals(415, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
    assertTrue(r.body().contains("\"status\":415"), r.body());
  }

  @Test
  void aCrossSiteSimplePublishIsRefusedAndStoresNothing() throws Exception {
    String body = "{\"id\":\"x\",\"data\":1}";
    assert415(send("POST", "/v1/topics/orders/messages", "text/plain;charset=UTF-8", body));
    assert415(send("POST", "/v1/topics/orders/messages", "application/x-www-form-urlencoded", body));
    assert415(send("POST", "/v1/topics/orders/messages", "multipart/form-data; boundary=x", body));
    assertTrue(server.backend().published.isEmpty(), "nothing was published");
    assertEquals(200,
        send("POST", "/v1/topics/orders/messages", "application/json", body).statusCode());
    assertEquals(1, server.backend().published.size());
  }

  @Test
  void everyEndpointThatReadsABodyRefusesOtherTypes() throws Exception {
    String[][] endpoints = {
        {"PUT", "/v1/topics/t9", "{\"partitions\":1}"},
        {"PUT", "/v1/subscriptions/s9", "{\"topic\":\"orders\"}"},
        {"PATCH", "/v1/subscriptions/s9", "{\"maxInFlight\":5}"},
        {"POST", "/v1/subscriptions/s9/ack", "{\"ackIds\":[\"0-1\"]}"},
        {"POST", "/v1/subscriptions/s9/nack", "{\"ackIds\":[\"0-1\"]}"},
        {"POST", "/v1/subscriptions/s9/seek", "{\"to\":\"earliest\"}"},
    };
    for (String[] e : endpoints) {
      assert415(send(e[0], e[1], "text/plain", e[2]));
      int ok = send(e[0], e[1], "application/json", e[2]).statusCode();
      assertTrue(ok < 300, e[0] + " " + e[1] + " with JSON: " + ok);
    }
  }

  @Test
  void jsonWithACharsetOrAPlusJsonSuffixIsAccepted() throws Exception {
    String body = "{\"data\":1}";
    assertEquals(200, send("POST", "/v1/topics/orders/messages",
        "application/json; charset=utf-8", body).statusCode());
    assertEquals(200, send("POST", "/v1/topics/orders/messages",
        "application/vnd.courier+json", body).statusCode());
    assertEquals(200, send("POST", "/v1/topics/orders/messages",
        "APPLICATION/JSON", body).statusCode());
  }

  @Test
  void aBodyWithNoContentTypeIsReadAsJson() throws Exception {
    // A plain HTTP client's default; a browser sending this cross-site also sends Origin (403).
    assertEquals(200,
        send("POST", "/v1/topics/orders/messages", null, "{\"data\":1}").statusCode());
    assertEquals(1, server.backend().published.size());
  }

  @Test
  void aBodilessCreateNeedsNoType() throws Exception {
    assertEquals(201, send("PUT", "/v1/topics/t10", null, null).statusCode());
  }
}
