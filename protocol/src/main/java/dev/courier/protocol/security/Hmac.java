package dev.courier.protocol.security;

import java.security.GeneralSecurityException;
import java.security.Key;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 instances ready to use, for the few places that key one (it is always there). */
public final class Hmac {
  public static final String ALGORITHM = "HmacSHA256";

  private Hmac() {}

  public static Mac sha256(Key key) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " unavailable", e);
    }
  }

  public static Mac sha256(byte[] key) {
    return sha256(new SecretKeySpec(key, ALGORITHM));
  }
}
