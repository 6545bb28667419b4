package dev.courier.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;
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

      var anonymous = Http.send("PUT", url + "/v1/topics/" + topic, "{\"partitions\": 1}");
      assertEquals(401, anonymous.status());
      assertTrue(anonymous.contentType().startsWith("application/problem+json"));
      assertEquals(201, Http.send("PUT", url + "/v1/topics/" + topic, "{\"partitions\": 1}",
          "Authorization", manage).status());
      assertEquals(201, Http.send("PUT", url + "/v1/subscriptions/" + sub,
          "{\"topic\": \"" + topic + "\", \"startAt\": \"earliest\"}",
          "Authorization", manage).status());

      assertEquals(403, Http.send("POST", url + "/v1/topics/" + topic + "/messages",
          "{\"id\": \"m-0\", \"data\": 0}", "Authorization", manage).status());
      var published = Http.send("POST", url + "/v1/topics/" + topic + "/messages",
          "{\"id\": \"m-1\", \"data\": 1}", "Authorization", publish);
      assertTrue(published.status() / 100 == 2, "published: " + published);

      assertEquals(200, Http.get(url + "/health/ready").status());
      String consume = URLEncoder.encode(token("consume:" + sub), StandardCharsets.UTF_8);
      assertThrows(IllegalStateException.class,
          () -> SseClient.open(url + "/v1/subscriptions/" + sub + "/events", null));
      try (SseClient sse = SseClient.open(
          url + "/v1/subscriptions/" + sub + "/events?access_token=" + consume, null)) {
        assertEquals("m-1", sse.next().data().get("id").asText());
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
