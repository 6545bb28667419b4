package dev.courier.edge.guard;

import com.typesafe.config.Config;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which browser origins may use the node: its own (the page's origin names the host the request was
 * sent to), the ones configured in {@code courier.http.allowed-origins}, or any with {@code *}.
 */
public record OriginPolicy(Set<String> allowed, boolean any) {
  public OriginPolicy {
    allowed = Set.copyOf(allowed);
  }

  public static OriginPolicy fromConfig(Config config) {
    return parse(config.getString("courier.http.allowed-origins"));
  }

  /**
   * Origins separated by commas or spaces ({@code https://app.example, http://localhost:3000}),
   * {@code *} for any, empty for the node's own origin only. A malformed entry fails start-up.
   */
  public static OriginPolicy parse(String text) {
    Set<String> allowed = new LinkedHashSet<>();
    boolean any = false;
    for (String entry : text.trim().split("[,\\s]+")) {
      if (entry.isEmpty()) {
        continue;
      }
      if (entry.equals("*")) {
        any = true;
        continue;
      }
      allowed.add(normalise(entry).orElseThrow(() -> new IllegalArgumentException(
          "courier.http.allowed-origins: '" + entry + "' is not an origin such as "
              + "https://app.example or http://localhost:3000")));
    }
    return new OriginPolicy(allowed, any);
  }

  /**
   * Whether a request with this {@code Origin} header, sent to {@code host} (its {@code Host}
   * header), comes from an origin allowed to use the node.
   */
  public boolean allows(String origin, Optional<String> host) {
    if (any) {
      return true;
    }
    Optional<String> normal = normalise(origin.trim());
    if (normal.isEmpty()) {
      return false;
    }
    return allowed.contains(normal.get()) || host.map(h -> sameHost(normal.get(), h)).orElse(false);
  }

  /** The origin, as {@code scheme://host:port} in lower case, when it is an http(s) origin. */
  static Optional<String> normalise(String origin) {
    try {
      URI uri = new URI(origin);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null
          || uri.getRawUserInfo() != null || !(uri.getRawPath() == null || uri.getRawPath().isEmpty())
          || uri.getRawQuery() != null || uri.getRawFragment() != null) {
        return Optional.empty();
      }
      int port = uri.getPort() == -1 ? defaultPort(scheme) : uri.getPort();
      return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port);
    } catch (java.net.URISyntaxException e) {
      return Optional.empty();
    }
  }

  /**
   * Whether the origin names the host and port the request was sent to. The scheme is the
   * origin's: a node behind a TLS-terminating proxy is reached over https but serves http.
   */
  private static boolean sameHost(String normalOrigin, String hostHeader) {
    String scheme = normalOrigin.substring(0, normalOrigin.indexOf(':'));
    return normalise(scheme + "://" + hostHeader.trim()).map(normalOrigin::equals).orElse(false);
  }

  private static int defaultPort(String scheme) {
    return scheme.equals("https") ? 443 : 80;
  }
}
