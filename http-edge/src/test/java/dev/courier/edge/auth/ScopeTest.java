package dev.courier.edge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Grant matching: exact names, prefixes ending in *, kinds kept apart, admin covers all. */
class ScopeTest {
  private static boolean allows(String scope, Grant needed) {
    return Scope.parse(scope).allows(Requirement.anyOf(needed, Grant.admin()));
  }

  @Test
  void exactNamesMatchOnlyThemselves() {
    assertTrue(allows("publish:orders", Grant.publish("orders")));
    assertFalse(allows("publish:orders", Grant.publish("orders-eu")));
    assertFalse(allows("publish:orders", Grant.publish("order")));
  }

  @Test
  void aTrailingStarIsAPrefix() {
    assertTrue(allows("consume:billing-*", Grant.consume("billing-eu")));
    assertTrue(allows("consume:billing-*", Grant.consume("billing-")));
    assertFalse(allows("consume:billing-*", Grant.consume("billing")));
    assertTrue(allows("manage:*", Grant.manage("anything")));
  }

  @Test
  void kindsAreKeptApart() {
    assertFalse(allows("publish:orders consume:orders", Grant.manage("orders")));
    assertFalse(allows("manage:*", Grant.publish("orders")));
    assertFalse(Scope.parse("publish:* consume:* manage:*")
        .allows(Requirement.anyOf(Grant.admin())));
  }

  @Test
  void adminCoversEverything() {
    assertTrue(allows("admin", Grant.publish("x")));
    assertTrue(Scope.parse("openid admin").allows(Requirement.anyOf(Grant.admin())));
  }

  @Test
  void unknownMalformedAndEmptyEntriesGrantNothing() {
    assertFalse(allows("", Grant.publish("x")));
    assertFalse(allows(null, Grant.publish("x")));
    assertFalse(allows("publish: publish admin:x read:x :x", Grant.publish("x")));
    assertFalse(allows("Admin PUBLISH:x", Grant.publish("x")));
  }

  @Test
  void requirementsReadAsTheDocsShowThem() {
    assertEquals("publish:t or manage:t or admin",
        Requirement.anyOf(Grant.publish("t"), Grant.manage("t"), Grant.admin()).toString());
    assertEquals("admin", Requirement.anyOf(Grant.admin()).toString());
  }
}
