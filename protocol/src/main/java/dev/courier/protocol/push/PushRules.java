package dev.courier.protocol.push;

import dev.courier.protocol.subscription.PushSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * What makes a push endpoint acceptable, as pure checks shared by the edge (which answers 400 with
 * the problem) and the signer. Each check returns what is wrong, phrased to follow the field name,
 * or empty; no message ever contains the secret.
 */
public final class PushRules {
  public static final int MIN_KEY_BYTES = 16;
  public static final int MAX_KEY_BYTES = 64;
  public static final int MAX_URL_LENGTH = 2048;

  private PushRules() {}

  /** What is wrong with a {@code whsec_<base64>} secret, if anything. */
  public static Optional<String> secretProblem(String secret) {
    if (secret == null || secret.isEmpty()) {
      return Optional.of("is required");
    }
    if (!secret.startsWith(PushSettings.SECRET_PREFIX)) {
      return Optional.of("must start with " + PushSettings.SECRET_PREFIX);
    }
    byte[] key;
    try {
      key = decodeKey(secret);
    } catch (IllegalArgumentException e) {
      return Optional.of("must be " + PushSettings.SECRET_PREFIX + " followed by base64");
    }
    if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
      return Optional.of(
          "must encode " + MIN_KEY_BYTES + " to " + MAX_KEY_BYTES + " key bytes, not "
              + key.length);
    }
    return Optional.empty();
  }

  /** What is wrong with a push URL, if anything: it must be absolute http(s) with a host. */
  public static Optional<String> urlProblem(String url) {
    if (url == null || url.isEmpty()) {
      return Optional.of("is required");
    }
    if (url.length() > MAX_URL_LENGTH) {
      return Optional.of("must be at most " + MAX_URL_LENGTH + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return Optional.of("is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
      return Optional.of("must be an absolute http or https URL");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      return Optional.of("must name a host");
    }
    return Optional.empty();
  }

  /** The URL without user info, query or fragment: safe to log. */
  public static String redactedUrl(String url) {
    try {
      URI uri = new URI(url);
      String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      return uri.getScheme() + "://" + uri.getHost() + port + path;
    } catch (URISyntaxException | RuntimeException e) {
      return "<invalid url>";
    }
  }

  /** The HMAC key of a secret; throws IllegalArgumentException (without the secret) if not base64. */
  static byte[] decodeKey(String secret) {
    return Base64.getDecoder().decode(secret.substring(PushSettings.SECRET_PREFIX.length()));
  }
}
