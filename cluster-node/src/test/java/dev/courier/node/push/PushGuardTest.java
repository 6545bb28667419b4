package dev.courier.node.push;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The push guard against server-side request forgery, with a scripted resolver: refused at
 * creation and again at connection (a name re-pointed after creation), unless allowed.
 */
class PushGuardTest {
  /** Each name answers its addresses in turn (the last one repeats). */
  private static java.util.function.Function<String, List<InetAddress>> dns(
      Map<String, List<String>> answers) {
    Map<String, Deque<String>> left = new java.util.HashMap<>();
    answers.forEach((k, v) -> left.put(k, new ArrayDeque<>(v)));
    return name -> {
      Deque<String> q = left.get(name);
      if (q == null && name.matches("[0-9a-f.:]+")) {
        q = new ArrayDeque<>(List.of(name)); // an address literal resolves to itself
      }
      if (q == null) {
        throw new IllegalArgumentException("unknown host");
      }
      String ip = q.size() > 1 ? q.poll() : q.peek();
      try {
        return List.of(InetAddress.getByName(ip));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
  }

  private static PushGuard guard(boolean loopback, Set<String> allowed,
      Map<String, List<String>> answers) {
    return new PushGuard(new PushGuard.Policy(loopback, allowed, 2), Runnable::run, dns(answers));
  }

  private static Optional<String> refusal(PushGuard g, String host) throws Exception {
    return g.refusal(host).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void aHostResolvingToAPrivateAddressIsRefusedWithTheReason() throws Exception {
    var g = guard(false, Set.of(), Map.of("intranet.example", List.of("10.0.0.7"),
        "hooks.example", List.of("93.184.216.34")));
    assertTrue(refusal(g, "intranet.example").orElse("").contains("10.0.0.7, a private address"));
    assertTrue(refusal(g, "169.254.169.254").orElse("").contains("link-local"));
    assertTrue(refusal(g, "[::1]").orElse("").contains("loopback"));
    assertTrue(refusal(g, "nowhere.example").orElse("").contains("does not resolve"));
    assertEquals(Optional.empty(), refusal(g, "hooks.example"));
  }

  @Test
  void aNameRepointedAfterCreationIsRefusedAtConnection() throws Exception {
    var g = guard(false, Set.of(), Map.of("rebind.example", List.of("93.184.216.34", "127.0.0.1")));
    assertEquals(Optional.empty(), refusal(g, "rebind.example"), "public when checked at PUT");
    var error = assertThrows(ExecutionException.class,
        () -> g.connectTo("rebind.example", 80).toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertInstanceOf(PushGuard.Refused.class, error.getCause());
  }

  @Test
  void allowedHostsAndALoopbackNodeMayReachAnything() throws Exception {
    var allowed = guard(false, Set.of("Intranet.Example"),
        Map.of("intranet.example", List.of("10.0.0.7")));
    assertEquals(Optional.empty(), refusal(allowed, "intranet.example"));
    assertEquals(10, allowed.connectTo("intranet.example", 10)
        .toCompletableFuture().get(5, TimeUnit.SECONDS).getAddress().getAddress()[0]);
    var onLoopback = guard(true, Set.of(), Map.of());
    assertEquals(Optional.empty(), refusal(onLoopback, "127.0.0.1"));
  }

  @Test
  void requestsInFlightPerHostAreBounded() {
    var g = guard(false, Set.of(), Map.of());
    assertTrue(g.tryAcquire("a.example"));
    assertTrue(g.tryAcquire("A.example"));
    assertFalse(g.tryAcquire("a.example"), "two in flight, the bound");
    assertTrue(g.tryAcquire("b.example"), "another host has its own bound");
    g.release("a.example");
    assertTrue(g.tryAcquire("a.example"));
  }
}
