package dev.courier.edge.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The grant table: lookups by path, the closed default, and the README agreeing with the code. */
class EndpointGrantsTest {
  private static final Path README = Path.of("..", "README.md");

  private static String need(String method, String path) {
    List<String> segments = Arrays.asList(path.substring(1).split("/", -1));
    return EndpointGrants.requirement(method, segments).toString();
  }

  @Test
  void pathsResolveToTheirNamedGrants() {
    assertEquals("publish:orders or admin", need("POST", "/v1/topics/orders/messages"));
    assertEquals("publish:orders or manage:orders or admin", need("GET", "/v1/topics/orders"));
    assertEquals("publish:orders or manage:orders or admin", need("GET", "/v1/topics/orders/"));
    assertEquals("consume:s1 or admin", need("GET", "/v1/subscriptions/s1/events"));
    assertEquals("manage:s1 or admin", need("POST", "/v1/subscriptions/s1/seek"));
    assertEquals("admin", need("GET", "/v1/subscriptions/"));
  }

  @Test
  void whatNoRuleNamesNeedsAdminAndHealthNeedsNothing() {
    assertEquals("admin", need("POST", "/v1/topics/orders"));
    assertEquals("admin", need("GET", "/v1/topics//messages"));
    assertEquals("admin", need("GET", "/metrics"));
    assertEquals("admin", need("GET", "/"));
    assertEquals(false, EndpointGrants.requirement("GET", List.of("health", "ready")).needsToken());
  }

  @Test
  void theReadmeTableIsTheCodesTable() throws Exception {
    String readme = Files.readString(README);
    for (EndpointGrants.Rule rule : EndpointGrants.RULES) {
      String row = "| `" + rule.method() + " " + rule.path() + "` | `" + rule.describe() + "` |";
      assertTrue(readme.contains(row), "README lacks: " + row);
    }
    long rows = readme.lines().filter(l -> l.startsWith("| `") && l.contains(" /")
        && (l.contains("/v1/") || l.contains("/health/") || l.contains(" /metrics`")
        || l.contains(" /ui"))).count();
    assertEquals(EndpointGrants.RULES.size(), rows, "README lists endpoints the code does not");
  }

  @Test
  void theReadmeOneLinerMintsATokenCourierAccepts() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "needs openssl");
    String readme = Files.readString(README);
    int start = readme.indexOf("export COURIER_AUTH=jwt");
    int end = readme.indexOf("TOKEN=$header.$claims.$sig", start);
    String script = readme.substring(start, end)
        + "TOKEN=$header.$claims.$sig\necho \"$COURIER_AUTH_JWT_SECRET\"\necho \"$TOKEN\"\n";
    Process bash = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
    List<String> out =
        new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    assertEquals(0, bash.waitFor(), String.join("\n", out));
    AuthSettings settings = new AuthSettings(AuthMode.JWT,
        Optional.of(Base64.getDecoder().decode(out.get(0))), Optional.empty(), Duration.ZERO);
    var verified = TokenVerifier.create(settings).verify(out.get(1));
    assertTrue(verified.scope().allows(Requirement.anyOf(Grant.publish("orders"))));
    assertTrue(verified.scope().allows(Requirement.anyOf(Grant.consume("dashboard"))));
  }
}
