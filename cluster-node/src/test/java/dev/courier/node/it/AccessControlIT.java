package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static dev.courier.node.it.TestNode.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.courier.client.CourierClient;
import dev.courier.client.ProblemException;
import dev.courier.client.SseConsumer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A real node with tokens required: publish and consume with grants, refusals without. */
class AccessControlIT {
  private static final byte[] KEY = "access-control-it-secret-32bytes".getBytes(StandardCharsets.UTF_8);

  private static String token(String scope) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
        new JWTClaimsSet.Builder().claim("scope", scope)
            .expirationTime(Date.from(Instant.now().plusSeconds(300))).build());
    jwt.sign(new MACSigner(KEY));
    return jwt.serialize();
  }

  @Test
  void publishAndConsumeWithTokensAndNothingWithout() throws Exception {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String topic = "auth-t-" + suffix;
    String sub = "auth-s-" + suffix;
    try (TestNode node = TestNode.start(
        "courier.http.auth { mode = jwt, jwt-secret = \""
            + Base64.getEncoder().encodeToString(KEY) + "\" }")) {
      String url = node.url();
      String manage = "Bearer " + token("manage:auth-*");
      String publish = "Bearer " + token("publish:" + topic);

      var anonymous = HTTP.request("PUT", url + "/v1/topics/" + topic, "{\"partitions\": 1}");
      assertEquals(401, anonymous.status());
      assertTrue(anonymous.contentType().startsWith("application/problem+json"));
      assertEquals(201, HTTP.request("PUT", url + "/v1/topics/" + topic, "{\"partitions\": 1}",
          "Authorization", manage).status());
      assertEquals(201, HTTP.request("PUT", url + "/v1/subscriptions/" + sub,
          "{\"topic\": \"" + topic + "\", \"startAt\": \"earliest\"}",
          "Authorization", manage).status());

      assertEquals(403, HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
          "{\"id\": \"m-0\", \"data\": 0}", "Authorization", manage).status());
      var published = HTTP.request("POST", url + "/v1/topics/" + topic + "/messages",
          "{\"id\": \"m-1\", \"data\": 1}", "Authorization", publish);
      assertTrue(published.status() / 100 == 2, "published: " + published);

      assertEquals(200, HTTP.request("GET", url + "/health/ready").status());
      String consume = URLEncoder.encode(token("consume:" + sub), StandardCharsets.UTF_8);
      try (SseConsumer refused = TestNode.sse(url, sub, null)) {
        assertEquals(401, assertThrows(ProblemException.class,
            () -> refused.next(TestNode.AWAIT)).status(), "no token: refused");
      }
      try (SseConsumer sse = CourierClient.builder(url).token(token("consume:" + sub)).build()
          .sse(sub, SseConsumer.Options.defaults().reconnect(false))) {
        assertEquals("m-1", sse.messages(1, TestNode.AWAIT).get(0).json().get("id").asText());
      }
      // A browser's EventSource sends no headers: the token may come as ?access_token= instead.
      // The JDK client directly, since the client library sends its token as a header.
      HttpResponse<Stream<String>> byQuery = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(url + "/v1/subscriptions/" + sub
              + "/events?access_token=" + consume)).header("Accept", "text/event-stream").build(),
          HttpResponse.BodyHandlers.ofLines());
      try (Stream<String> lines = byQuery.body()) {
        assertEquals(200, byQuery.statusCode());
        assertEquals("m-1", JSON.readTree(lines.filter(l -> l.startsWith("data:")).findFirst()
            .orElseThrow().substring(5)).get("id").asText());
      }
    }
  }

  @Test
  void aNodeBoundBeyondLoopbackWithoutAnAuthModeDoesNotStart() {
    var refused = assertThrows(IllegalStateException.class,
        () -> TestNode.start("courier.http.host = \"0.0.0.0\""));
    assertTrue(String.valueOf(refused.getCause()).contains("COURIER_AUTH"),
        String.valueOf(refused.getCause()));
  }
}
