package dev.courier.edge.auth;

import com.typesafe.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Access control's typed settings, read once from {@code courier.http.auth}, and the start-up rule
 * that a node reachable beyond loopback never runs without tokens by accident.
 */
public record AuthSettings(
    AuthMode mode, Optional<byte[]> hmacSecret, Optional<Path> jwksFile, Duration clockSkew) {

  /** HS256 keys shorter than the hash (RFC 7518, 3.2) are refused. */
  static final int MIN_SECRET_BYTES = 32;

  public AuthSettings {
    if (mode == AuthMode.JWT && hmacSecret.isPresent() == jwksFile.isPresent()) {
      throw new IllegalArgumentException(
          "COURIER_AUTH=jwt needs exactly one of COURIER_AUTH_JWT_SECRET (base64, HS256) and"
              + " COURIER_AUTH_JWKS_FILE (RS256/ES256)");
    }
    if (hmacSecret.isPresent() && hmacSecret.get().length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "COURIER_AUTH_JWT_SECRET must decode to at least 256 bits (32 bytes), not "
              + hmacSecret.get().length * 8);
    }
  }

  public static AuthSettings fromConfig(Config config) {
    Config c = config.getConfig("courier.http.auth");
    String secret = c.getString("jwt-secret").trim();
    String jwks = c.getString("jwks-file").trim();
    return new AuthSettings(
        AuthMode.parse(c.getString("mode")),
        secret.isEmpty() ? Optional.empty() : Optional.of(decode(secret)),
        jwks.isEmpty() ? Optional.empty() : Optional.of(Path.of(jwks)),
        c.getDuration("clock-skew"));
  }

  /** Tokens off: what tests and the quick start run with. */
  public static AuthSettings off() {
    return new AuthSettings(AuthMode.OFF, Optional.empty(), Optional.empty(), Duration.ZERO);
  }

  public boolean required() {
    return mode == AuthMode.JWT;
  }

  /**
   * Refuses to serve on {@code host} without tokens unless it is loopback or an operator chose
   * {@code COURIER_AUTH=off}.
   *
   * @throws IllegalStateException with the message an operator needs
   */
  public void checkExposure(String host) {
    if (mode == AuthMode.UNSET && !isLoopback(host)) {
      throw new IllegalStateException(
          "Refusing to start: HTTP binds to " + host + ", which is not loopback, and access"
              + " control is not configured. Set COURIER_AUTH=jwt with COURIER_AUTH_JWT_SECRET or"
              + " COURIER_AUTH_JWKS_FILE, or COURIER_AUTH=off to serve without tokens on purpose.");
    }
  }

  static boolean isLoopback(String host) {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      // Literal addresses only are parsed without a lookup; a name is resolved as the bind will.
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      try {
        return Base64.getUrlDecoder().decode(base64);
      } catch (IllegalArgumentException again) {
        throw new IllegalArgumentException("COURIER_AUTH_JWT_SECRET is not base64");
      }
    }
  }
}
