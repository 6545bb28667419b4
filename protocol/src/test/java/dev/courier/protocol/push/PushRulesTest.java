package dev.courier.protocol.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PushRulesTest {

  private static String secretOf(int keyBytes) {
    return "whsec_" + Base64.getEncoder().encodeToString(new byte[keyBytes]);
  }

  @Test
  void acceptsSecretsOf16To64KeyBytes() {
    assertEquals(Optional.empty(), PushRules.secretProblem(secretOf(16)));
    assertEquals(Optional.empty(), PushRules.secretProblem(secretOf(64)));
    assertEquals(Optional.empty(), PushRules.secretProblem("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  }

  @Test
  void refusesSecretsWithoutPrefixOrBase64OrOfTheWrongSize() {
    assertEquals(Optional.of("is required"), PushRules.secretProblem(null));
    assertEquals(Optional.of("must start with whsec_"), PushRules.secretProblem("MfKQ9r8GKYqrTwjU"));
    assertTrue(PushRules.secretProblem("whsec_!!!").orElseThrow().contains("base64"));
    assertTrue(PushRules.secretProblem(secretOf(15)).orElseThrow().contains("not 15"));
    assertTrue(PushRules.secretProblem(secretOf(65)).orElseThrow().contains("not 65"));
  }

  @Test
  void acceptsAbsoluteHttpAndHttpsUrls() {
    assertEquals(Optional.empty(), PushRules.urlProblem("https://hooks.example.com/courier?x=1"));
    assertEquals(Optional.empty(), PushRules.urlProblem("http://127.0.0.1:8080/in"));
  }

  @Test
  void refusesOtherUrls() {
    assertEquals(Optional.of("is required"), PushRules.urlProblem(""));
    assertEquals(
        Optional.of("must be an absolute http or https URL"),
        PushRules.urlProblem("ftp://example.com/x"));
    assertEquals(
        Optional.of("must be an absolute http or https URL"), PushRules.urlProblem("/relative"));
    assertEquals(Optional.of("must name a host"), PushRules.urlProblem("http:///nohost"));
    assertTrue(PushRules.urlProblem("http://exa mple.com/").orElseThrow().startsWith("is not a valid URL"));
    assertTrue(
        PushRules.urlProblem("https://example.com/" + "a".repeat(2100))
            .orElseThrow()
            .contains("at most"));
  }

  @Test
  void redactsUserInfoAndQueryForLogs() {
    assertEquals(
        "https://hooks.example.com:8443/in",
        PushRules.redactedUrl("https://user:pw@hooks.example.com:8443/in?token=abc#f"));
  }
}
