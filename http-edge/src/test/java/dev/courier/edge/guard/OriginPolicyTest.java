package dev.courier.edge.guard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which origins a node lets in: its own, the configured ones, or any. */
class OriginPolicyTest {
  private static final OriginPolicy SAME_ONLY = OriginPolicy.parse("");

  @Test
  void aPageOfTheNodesOwnOriginIsAllowed() {
    assertTrue(SAME_ONLY.allows("http://127.0.0.1:8080", Optional.of("127.0.0.1:8080")));
    assertTrue(SAME_ONLY.allows("http://Courier.Example", Optional.of("courier.example")));
    assertTrue(SAME_ONLY.allows("https://courier.example", Optional.of("courier.example")));
    assertTrue(SAME_ONLY.allows("http://courier.example:80", Optional.of("courier.example")));
    assertTrue(SAME_ONLY.allows("http://[::1]:8080", Optional.of("[::1]:8080")));
  }

  @Test
  void anyOtherOriginIsNot() {
    assertFalse(SAME_ONLY.allows("http://evil.example", Optional.of("127.0.0.1:8080")));
    assertFalse(SAME_ONLY.allows("http://127.0.0.1:8081", Optional.of("127.0.0.1:8080")));
    assertFalse(SAME_ONLY.allows("https://courier.example", Optional.of("courier.example:80")));
    assertFalse(SAME_ONLY.allows("null", Optional.of("127.0.0.1:8080")));
    assertFalse(SAME_ONLY.allows("file://", Optional.of("127.0.0.1:8080")));
    assertFalse(SAME_ONLY.allows("http://127.0.0.1:8080/path", Optional.of("127.0.0.1:8080")));
    assertFalse(SAME_ONLY.allows("http://127.0.0.1:8080", Optional.empty()));
    assertFalse(SAME_ONLY.allows("http://a.example http://b.example", Optional.of("a.example")));
  }

  @Test
  void configuredOriginsAreAllowedWhateverTheHost() {
    OriginPolicy policy = OriginPolicy.parse(" https://app.example,http://localhost:3000  ");
    assertTrue(policy.allows("https://app.example", Optional.of("courier.internal:8080")));
    assertTrue(policy.allows("https://app.example:443", Optional.of("courier.internal:8080")));
    assertTrue(policy.allows("http://localhost:3000", Optional.empty()));
    assertFalse(policy.allows("http://app.example", Optional.of("courier.internal:8080")));
    assertFalse(policy.allows("http://localhost:3001", Optional.of("courier.internal:8080")));
  }

  @Test
  void aStarAllowsAnyOrigin() {
    assertTrue(OriginPolicy.parse("*").allows("http://anything.example", Optional.empty()));
  }

  @Test
  void aMalformedEntryFailsStartUp() {
    assertThrows(IllegalArgumentException.class, () -> OriginPolicy.parse("app.example"));
    assertThrows(IllegalArgumentException.class, () -> OriginPolicy.parse("https://a.example/x"));
    assertThrows(IllegalArgumentException.class, () -> OriginPolicy.parse("ftp://a.example"));
  }
}
