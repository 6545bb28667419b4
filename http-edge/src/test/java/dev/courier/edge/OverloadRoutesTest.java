package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** A bound the backend reports reached is answered 429 problem+json with Retry-After. */
class OverloadRoutesTest extends DefaultEdgeTest {
  @Test
  void aNackPastTheSubscriptionsCapIs429WithRetryAfter() throws Exception {
    HttpResponse<String> r = client.send(
        HttpRequest.newBuilder(URI.create(server.base() + "/v1/subscriptions/capped/nack"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"ackIds\":[\"0-1\"],\"delay\":\"PT5S\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(429, r.statusCode(), r.body());
    assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
    assertTrue(r.headers().firstValue("Content-Type").orElse("")
        .startsWith("application/problem+json"));
    assertTrue(r.body().contains("too many delayed nacks"), r.body());
  }
}
