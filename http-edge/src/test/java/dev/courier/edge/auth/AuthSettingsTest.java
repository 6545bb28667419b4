package dev.courier.edge.auth;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The start-up rule: beyond loopback, tokens or an explicit off; keys present and strong. */
class AuthSettingsTest {
  private static AuthSettings settings(String hocon) {
    return AuthSettings.fromConfig(
        ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()));
  }

  private static void check(String hocon, String host) {
    AccessControl.checkStartup(settings(hocon), host);
  }

  @Test
  void theDefaultIsUnsetAndServesLoopbackWithoutTokens() {
    AuthSettings defaults = settings("");
    assertEquals(AuthMode.UNSET, defaults.mode());
    assertDoesNotThrow(() -> check("", "127.0.0.1"));
    assertDoesNotThrow(() -> check("", "localhost"));
    assertDoesNotThrow(() -> check("", "::1"));
  }

  @Test
  void aNodeBeyondLoopbackRefusesToStartUnlessToldHow() {
    var refused = assertThrows(IllegalStateException.class, () -> check("", "0.0.0.0"));
    assertTrue(refused.getMessage().contains("COURIER_AUTH=jwt"), refused.getMessage());
    assertTrue(refused.getMessage().contains("COURIER_AUTH=off"), refused.getMessage());
    assertThrows(IllegalStateException.class, () -> check("", "10.1.2.3"));
    assertDoesNotThrow(() -> check("courier.http.auth.mode = off", "0.0.0.0"));
    assertDoesNotThrow(() -> check(
        "courier.http.auth { mode = jwt, jwt-secret = \"" + TestTokens.SECRET + "\" }",
        "0.0.0.0"));
  }

  @Test
  void jwtNeedsExactlyOneStrongKey() {
    assertThrows(IllegalArgumentException.class, () -> settings("courier.http.auth.mode = jwt"));
    String shortKey = Base64.getEncoder().encodeToString(new byte[31]);
    var weak = assertThrows(IllegalArgumentException.class, () -> settings(
        "courier.http.auth { mode = jwt, jwt-secret = \"" + shortKey + "\" }"));
    assertTrue(weak.getMessage().contains("256 bits"), weak.getMessage());
    assertThrows(IllegalArgumentException.class, () -> settings(
        "courier.http.auth { mode = jwt, jwt-secret = \"" + TestTokens.SECRET
            + "\", jwks-file = /x.jwks }"));
    assertThrows(IllegalArgumentException.class, () -> settings("courier.http.auth.mode = on"));
  }

  @Test
  void anUnreadableJwksFileFailsAtStartNotAtFirstRequest() {
    assertThrows(IllegalArgumentException.class, () -> check(
        "courier.http.auth { mode = jwt, jwks-file = /nonexistent/keys.jwks }", "127.0.0.1"));
  }
}
