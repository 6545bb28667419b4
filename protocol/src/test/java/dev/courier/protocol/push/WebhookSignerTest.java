package dev.courier.protocol.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {

  // The signing vector of the Standard Webhooks reference libraries (TestWebhookSign).
  private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long SPEC_TIMESTAMP = 1614265330L;
  private static final String SPEC_BODY = "{\"test\": 2432232314}";
  private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  @Test
  void matchesTheStandardWebhooksVector() {
    String signature =
        WebhookSigner.forSecret(SPEC_SECRET)
            .sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY.getBytes(StandardCharsets.UTF_8));
    assertEquals(SPEC_SIGNATURE, signature);
  }

  @Test
  void matchesAnIndependentHmacOverIdTimestampAndBody() throws Exception {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (i * 7 + 3);
    }
    String secret = "whsec_" + Base64.getEncoder().encodeToString(key);
    String body = "{\"ackId\":\"0-5\",\"data\":{\"é\":1}}";
    String id = WebhookSigner.messageId("orders", "0-5");
    long ts = 1_800_000_000L;

    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    byte[] expected =
        mac.doFinal((id + "." + ts + "." + body).getBytes(StandardCharsets.UTF_8));

    assertEquals(
        "v1," + Base64.getEncoder().encodeToString(expected),
        WebhookSigner.forSecret(secret).sign(id, ts, body.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void messageIdIsStablePerSubscriptionAndMessage() {
    String id = WebhookSigner.messageId("orders", "3-17");
    assertEquals(id, WebhookSigner.messageId("orders", "3-17"));
    assertNotEquals(id, WebhookSigner.messageId("orders", "3-18"));
    assertNotEquals(id, WebhookSigner.messageId("billing", "3-17"));
    assertTrue(id.matches("msg_[A-Za-z0-9_-]{24}"), id);
  }

  @Test
  void refusesABadSecretWithoutEchoingIt() {
    String secret = "whsec_not*base64!";
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WebhookSigner.forSecret(secret));
    assertFalse(e.getMessage().contains("not*base64"), e.getMessage());
    assertFalse(WebhookSigner.forSecret(SPEC_SECRET).toString().contains("MfKQ"));
  }
}
