package dev.courier.protocol.subscription;

import dev.courier.protocol.CborSerializable;

/**
 * Where a push subscription POSTs its deliveries, and the Standard Webhooks secret
 * ({@code whsec_<base64 key>}) that signs them.
 */
public record PushSettings(String url, String secret) implements CborSerializable {

  public static final String SECRET_PREFIX = "whsec_";

  /** The secret with its key hidden, for views and logs. */
  public PushSettings redacted() {
    return new PushSettings(url, SECRET_PREFIX + "…");
  }
}
