package dev.courier.protocol.push;

import dev.courier.protocol.security.Hmac;
import dev.courier.protocol.subscription.PushSettings;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook requests per the Standard Webhooks specification, so receivers can verify them
 * with any Standard Webhooks library: {@code webhook-signature: v1,<base64 HMAC-SHA256 of
 * "{id}.{timestamp}.{body}">}, keyed with the base64-decoded part of a {@code whsec_} secret.
 * Immutable and thread-safe; the key never appears in {@link #toString()} or in exceptions.
 */
public final class WebhookSigner {
  public static final String ID_HEADER = "webhook-id";
  public static final String TIMESTAMP_HEADER = "webhook-timestamp";
  public static final String SIGNATURE_HEADER = "webhook-signature";

  private static final String ALGORITHM = "HmacSHA256";
  private static final String ID_PREFIX = "msg_";
  private static final int ID_HASH_BYTES = 18;

  private final SecretKeySpec key;

  private WebhookSigner(byte[] key) {
    this.key = new SecretKeySpec(key, ALGORITHM);
  }

  /**
   * A signer for a {@code whsec_<base64>} secret.
   *
   * @throws IllegalArgumentException if the secret is not valid (see {@link PushRules#secretProblem})
   */
  public static WebhookSigner forSecret(String secret) {
    PushRules.secretProblem(secret)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException("webhook secret " + problem);
            });
    return new WebhookSigner(PushRules.decodeKey(secret));
  }

  /** The {@code webhook-signature} value for one request: {@code v1,<base64 HMAC>}. */
  public String sign(String id, long timestampSeconds, byte[] body) {
    Mac mac = newMac();
    mac.update((id + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
    mac.update(body);
    return "v1," + Base64.getEncoder().encodeToString(mac.doFinal());
  }

  /**
   * The {@code webhook-id} of one message in one delivery {@code stream} (a subscription's
   * incarnation): the same on every retry, so receivers can deduplicate; distinct across
   * subscriptions, and across incarnations of one name. Only {@code [A-Za-z0-9_-]}.
   */
  public static String messageId(String stream, String ackId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest =
          sha.digest((stream + "\n" + ackId).getBytes(StandardCharsets.UTF_8));
      byte[] head = java.util.Arrays.copyOf(digest, ID_HASH_BYTES);
      return ID_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(head);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private Mac newMac() {
    return Hmac.sha256(key);
  }

  @Override
  public String toString() {
    return "WebhookSigner[" + PushSettings.SECRET_PREFIX + "…]";
  }
}
