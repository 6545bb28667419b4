package dev.courier.edge.auth;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The grants a verified token carries, read from its space-separated {@code scope} claim. */
public record Scope(List<Grant> grants) {

  public Scope {
    grants = List.copyOf(grants);
  }

  public static Scope parse(String scopeClaim) {
    if (scopeClaim == null || scopeClaim.isBlank()) {
      return new Scope(List.of());
    }
    return new Scope(
        Arrays.stream(scopeClaim.trim().split("\\s+"))
            .map(Grant::parse)
            .flatMap(Optional::stream)
            .toList());
  }

  /** Whether some grant here covers some alternative of {@code requirement}. */
  public boolean allows(Requirement requirement) {
    if (!requirement.needsToken()) {
      return true;
    }
    return requirement.anyOf().stream()
        .anyMatch(required -> grants.stream().anyMatch(g -> g.covers(required)));
  }
}
