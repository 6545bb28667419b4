package dev.courier.edge.auth;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What one request needs: nothing ({@link #none()}, the health checks), or any one of a few grants
 * ({@code admin} always being one of them).
 */
public record Requirement(List<Grant> anyOf) {

  public Requirement {
    anyOf = List.copyOf(anyOf);
  }

  public static Requirement none() {
    return new Requirement(List.of());
  }

  public static Requirement anyOf(Grant... grants) {
    return new Requirement(List.of(grants));
  }

  public boolean needsToken() {
    return !anyOf.isEmpty();
  }

  /** For 403 details and the docs: "publish:orders or manage:orders or admin". */
  @Override
  public String toString() {
    String alternatives =
        anyOf.stream()
            .filter(g -> g.kind() != Grant.Kind.ADMIN)
            .map(Grant::toString)
            .collect(Collectors.joining(" or "));
    return alternatives.isEmpty() ? "admin" : alternatives + " or admin";
  }
}
