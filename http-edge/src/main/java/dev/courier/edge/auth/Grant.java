package dev.courier.edge.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * One permission, as a token's {@code scope} claim grants it ({@code publish:orders},
 * {@code consume:billing-*}, {@code admin}) or as an endpoint requires it ({@code manage:orders}).
 * A granted name ending in {@code *} covers every name with that prefix.
 */
public record Grant(Kind kind, String name) {

  /** What a grant allows; {@code ADMIN} allows everything and has no name. */
  public enum Kind {
    PUBLISH,
    CONSUME,
    MANAGE,
    ADMIN
  }

  public static Grant admin() {
    return new Grant(Kind.ADMIN, "");
  }

  public static Grant publish(String topic) {
    return new Grant(Kind.PUBLISH, topic);
  }

  public static Grant consume(String subscription) {
    return new Grant(Kind.CONSUME, subscription);
  }

  public static Grant manage(String name) {
    return new Grant(Kind.MANAGE, name);
  }

  /** One scope entry as a grant; empty for entries Courier does not know (they grant nothing). */
  static Optional<Grant> parse(String entry) {
    if (entry.equals("admin")) {
      return Optional.of(admin());
    }
    int colon = entry.indexOf(':');
    if (colon <= 0 || colon == entry.length() - 1) {
      return Optional.empty();
    }
    String kind = entry.substring(0, colon);
    String name = entry.substring(colon + 1);
    return switch (kind) {
      case "publish", "consume", "manage" ->
          Optional.of(new Grant(Kind.valueOf(kind.toUpperCase(Locale.ROOT)), name));
      default -> Optional.empty();
    };
  }

  /** Whether this granted permission covers {@code required}. */
  boolean covers(Grant required) {
    if (kind == Kind.ADMIN) {
      return true;
    }
    if (kind != required.kind) {
      return false;
    }
    return name.endsWith("*")
        ? required.name.startsWith(name.substring(0, name.length() - 1))
        : name.equals(required.name);
  }

  @Override
  public String toString() {
    return kind == Kind.ADMIN ? "admin" : kind.name().toLowerCase(Locale.ROOT) + ":" + name;
  }
}
