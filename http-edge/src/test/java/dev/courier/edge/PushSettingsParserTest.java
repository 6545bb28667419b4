package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.courier.protocol.subscription.PushSettings;
import org.junit.jupiter.api.Test;

class PushSettingsParserTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  private static PushSettings parse(String pushJson) {
    return PushSettingsParser.parse(Bodies.parse("{\"push\": " + pushJson + "}").get("push"));
  }

  private static Problem.FieldError rejected(String pushJson) {
    ProblemException e = assertThrows(ProblemException.class, () -> parse(pushJson));
    assertEquals(400, e.problem().status());
    assertEquals(1, e.problem().errors().size());
    return e.problem().errors().get(0);
  }

  @Test
  void readsUrlAndSecret() {
    assertEquals(
        new PushSettings("https://hooks.example.com/in", SECRET),
        parse("{\"url\": \"https://hooks.example.com/in\", \"secret\": \"" + SECRET + "\"}"));
  }

  @Test
  void absentOrNullIsAPullSubscription() {
    assertNull(PushSettingsParser.parse(null));
    assertNull(parse("null"));
  }

  @Test
  void namesTheFieldOfEveryMistake() {
    assertEquals("push", rejected("\"https://x.example\"").field());
    assertEquals(
        new Problem.FieldError("push.url", "is required"),
        rejected("{\"secret\": \"" + SECRET + "\"}"));
    assertEquals(
        new Problem.FieldError("push.url", "must be an absolute http or https URL"),
        rejected("{\"url\": \"ftp://x.example/in\", \"secret\": \"" + SECRET + "\"}"));
    assertEquals(
        new Problem.FieldError("push.url", "must be a string"),
        rejected("{\"url\": 5, \"secret\": \"" + SECRET + "\"}"));
    assertEquals(
        new Problem.FieldError("push.secret", "is required"),
        rejected("{\"url\": \"https://x.example/in\"}"));
    assertEquals(
        new Problem.FieldError("push.secret", "must start with whsec_"),
        rejected("{\"url\": \"https://x.example/in\", \"secret\": \"MfKQ9r8GKYqrTwjU\"}"));
    assertEquals(
        "push.secret",
        rejected("{\"url\": \"https://x.example/in\", \"secret\": \"whsec_c2hvcnQ=\"}").field());
    assertEquals(
        new Problem.FieldError("push.headers", "unknown field"),
        rejected("{\"url\": \"https://x.example/in\", \"secret\": \"" + SECRET
            + "\", \"headers\": {}}"));
  }

  @Test
  void neverEchoesTheSecret() {
    String bad = "whsec_sup3r*secret*value";
    ProblemException e =
        assertThrows(
            ProblemException.class,
            () -> parse("{\"url\": \"https://x.example/in\", \"secret\": \"" + bad + "\"}"));
    assertFalse(e.problem().detail().contains("sup3r"), e.problem().detail());
  }
}
