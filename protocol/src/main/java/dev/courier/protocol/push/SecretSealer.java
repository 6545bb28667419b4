package dev.courier.protocol.push;

import dev.courier.protocol.security.ClusterKey;
import dev.courier.protocol.security.Hmac;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals webhook secrets so that the journal and the messages between nodes carry them only
 * encrypted: AES-256-GCM under a key derived from the cluster key, bound to the subscription's
 * name (as associated data), as {@code sealed:v1:<base64url(iv, ciphertext and tag)>}. The IV is
 * an HMAC of the name and the secret under a second derived key (a synthetic IV): sealing the same
 * secret for the same subscription gives the same text, so a repeated PUT with the same settings is
 * still recognised as the same subscription; distinct secrets never share an IV. Opened only where
 * a webhook request is signed. Thread-safe; never puts a secret in a message or in toString.
 */
public final class SecretSealer {
  public static final String PREFIX = "sealed:v1:";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  /** A sealed secret this node cannot open: another cluster key sealed it, or it was altered. */
  public static final class Unopenable extends Exception {
    private static final long serialVersionUID = 1L;

    Unopenable(String message) {
      super(message);
    }
  }

  private final SecretKeySpec aesKey;
  private final SecretKeySpec ivKey;

  private SecretSealer(byte[] aesKey, byte[] ivKey) {
    this.aesKey = new SecretKeySpec(aesKey, "AES");
    this.ivKey = new SecretKeySpec(ivKey, "HmacSHA256");
  }

  public static SecretSealer of(ClusterKey key) {
    return new SecretSealer(
        key.derive("courier webhook-secret aes v1", 32),
        key.derive("courier webhook-secret iv v1", 32));
  }

  /** Whether a stored secret is sealed (else it is a clear one, from before sealing). */
  public static boolean isSealed(String stored) {
    return stored != null && stored.startsWith(PREFIX);
  }

  /** The sealed form of a clear secret of {@code subscription}. */
  public String seal(String subscription, String secret) {
    byte[] clear = secret.getBytes(StandardCharsets.UTF_8);
    byte[] aad = aad(subscription);
    try {
      Mac mac = Hmac.sha256(ivKey);
      mac.update(aad);
      byte[] iv = Arrays.copyOf(mac.doFinal(clear), IV_BYTES);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(aad);
      byte[] sealed = cipher.doFinal(clear);
      byte[] out = ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable: " + e.getClass().getSimpleName());
    }
  }

  /**
   * The clear secret of a sealed one.
   *
   * @throws Unopenable if it is not sealed text, or was sealed under another key or for another
   *     subscription, or was altered (the message says which, without the secret)
   */
  public String open(String subscription, String sealed) throws Unopenable {
    if (!isSealed(sealed)) {
      throw new Unopenable("not a sealed secret");
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(sealed.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new Unopenable("the sealed secret is not base64url");
    }
    if (bytes.length <= IV_BYTES + TAG_BITS / 8) {
      throw new Unopenable("the sealed secret is too short");
    }
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, aesKey,
          new GCMParameterSpec(TAG_BITS, bytes, 0, IV_BYTES));
      cipher.updateAAD(aad(subscription));
      byte[] clear = cipher.doFinal(bytes, IV_BYTES, bytes.length - IV_BYTES);
      return new String(clear, StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new Unopenable(
          "the webhook secret was sealed with another cluster key (or altered): check that every"
              + " node has the same courier.security.key");
    } catch (GeneralSecurityException e) {
      throw new Unopenable("the sealed secret cannot be opened: " + e.getClass().getSimpleName());
    }
  }

  private static byte[] aad(String subscription) {
    return ("courier webhook secret\n" + subscription).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "SecretSealer[…]";
  }
}
