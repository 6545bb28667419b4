package dev.courier.protocol.security;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;

/**
 * The secret every node of a cluster shares, from which each use gets a key of its own (HKDF-SHA256,
 * RFC 5869, one label per use), so ack ids minted on one node are checked on another and secrets
 * sealed on one node are opened on another. The key never appears in {@link #toString()}.
 */
public final class ClusterKey {
  /** The fewest bytes a configured key may have. */
  public static final int MIN_BYTES = 32;

  private final byte[] secret;

  private ClusterKey(byte[] secret) {
    if (secret.length < MIN_BYTES) {
      throw new IllegalArgumentException(
          "a cluster key needs at least " + MIN_BYTES + " bytes, not " + secret.length);
    }
    this.secret = secret.clone();
  }

  public static ClusterKey of(byte[] secret) {
    return new ClusterKey(secret);
  }

  /**
   * A key from its base64 text (standard or URL-safe alphabet, padding optional).
   *
   * @throws IllegalArgumentException if it is not base64 or shorter than {@link #MIN_BYTES} (the
   *     message never quotes the text)
   */
  public static ClusterKey fromBase64(String text) {
    String t = text.strip().replace('-', '+').replace('_', '/');
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(t);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the cluster key is not base64");
    }
    return new ClusterKey(bytes);
  }

  /** A fresh random key of 32 bytes. */
  public static ClusterKey generate() {
    byte[] bytes = new byte[MIN_BYTES];
    new SecureRandom().nextBytes(bytes);
    return new ClusterKey(bytes);
  }

  /** The key's bytes, to store it; never to log. */
  public byte[] bytes() {
    return secret.clone();
  }

  /** A key of {@code length} bytes (at most 32) for one use, named by {@code label}. */
  public byte[] derive(String label, int length) {
    if (length < 1 || length > 32) {
      throw new IllegalArgumentException("derived keys are 1 to 32 bytes");
    }
    byte[] prk =
        Hmac.sha256("courier cluster key".getBytes(StandardCharsets.UTF_8)).doFinal(secret);
    Mac expand = Hmac.sha256(prk);
    expand.update(label.getBytes(StandardCharsets.UTF_8));
    expand.update((byte) 1);
    return Arrays.copyOf(expand.doFinal(), length);
  }

  @Override
  public String toString() {
    return "ClusterKey[…]";
  }
}
