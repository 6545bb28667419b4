package dev.courier.protocol.subscription;

import dev.courier.protocol.security.ClusterKey;
import dev.courier.protocol.security.Hmac;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key ack ids are sealed with, derived from the cluster key so that every node mints and
 * checks the same ids. Thread-safe: each thread keeps one initialised {@link Mac}, so sealing a
 * delivery costs one HMAC over a few dozen bytes and no allocation of a new Mac.
 */
public final class AckIdKey {
  private static final String LABEL = "courier ack-id v1";

  private final SecretKeySpec key;
  private final ThreadLocal<Mac> macs;

  private AckIdKey(byte[] key) {
    this.key = new SecretKeySpec(key, Hmac.ALGORITHM);
    this.macs = ThreadLocal.withInitial(this::newMac);
  }

  public static AckIdKey of(ClusterKey clusterKey) {
    return new AckIdKey(clusterKey.derive(LABEL, 32));
  }

  /** The codec of one subscription incarnation: its ids mean nothing to any other. */
  public AckIdCodec forSubscription(String name, java.time.Instant createdAt) {
    return new AckIdCodec(this, name, createdAt);
  }

  /** This thread's Mac, reset and ready. */
  Mac mac() {
    return macs.get();
  }

  private Mac newMac() {
    return Hmac.sha256(key);
  }

  @Override
  public String toString() {
    return "AckIdKey[…]";
  }
}
