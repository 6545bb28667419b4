package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.courier.client.CourierClient;
import dev.courier.client.FrameSocket;
import dev.courier.client.ProblemException;
import dev.courier.edge.auth.AuthMode;
import dev.courier.edge.auth.AuthSettings;
import dev.courier.edge.auth.EndpointGrants;
import dev.courier.edge.auth.Grant;
import dev.courier.edge.auth.Requirement;
import dev.courier.edge.auth.TestTokens;
import dev.courier.edge.consumer.ConsumerDrain;
import dev.courier.port.CourierBackend.Existence;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every endpoint of {@link EndpointGrants} over a real socket with tokens required: no token,
 * a bad signature, an expired token and a wrong grant are refused (401 / 403, problem+json), the
 * right grant and admin pass, with the token in the header or in {@code access_token}, for plain
 * HTTP, SSE and WebSocket upgrades alike.
 */
class AccessControlRoutesTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          ConfigFactory.parseResources("courier-http.conf").withFallback(ConfigFactory.load()));
  private static final HttpClient client = HttpClient.newHttpClient();
  private static final StubBackend backend = new StubBackend();
  private static final String TOPIC = "orders";
  private static final String SUBSCRIPTION = "dashboard";
  private static EdgeSettings settings;
  private static int port;

  @BeforeAll
  static void bind() throws Exception {
    settings = EdgeSettings.fromConfig(testKit.system().settings().config());
    // No clock skew here, so a stream's token can run out within a test.
    AuthSettings auth =
        new AuthSettings(AuthMode.JWT,
            Optional.of(Base64.getDecoder().decode(TestTokens.SECRET)), Optional.empty(),
            Duration.ZERO);
    backend.addTopic(TOPIC, 1);
    backend.registry.put(SUBSCRIPTION, Existence.EXISTS);
    backend.entity = testKit.spawn(new StubSubscription().attaching());
    port =
        Http.get(testKit.system())
            .newServerAt("127.0.0.1", 0)
            .bind(new CourierRoutes(testKit.system(), backend, settings, new ConsumerDrain(), auth)
                .routes())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS)
            .localAddress()
            .getPort();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** How a token travels. */
  enum Carrier { HEADER, QUERY }

  /** One row of the matrix: a token (null: none) and the status class expected. */
  record Case(String name, String token, int expected) {}

  private static List<Case> cases(EndpointGrants.Rule rule, String name) {
    Requirement needed = EndpointGrants.requirement(rule.method(), segments(path(rule)));
    Grant right = needed.anyOf().get(0);
    return List.of(
        new Case("no token", null, 401),
        new Case("bad signature",
            TestTokens.hs256(TestTokens.OTHER_SECRET, right.toString(), Duration.ofMinutes(5)),
            401),
        new Case("expired",
            TestTokens.hs256(TestTokens.SECRET, right.toString(), Duration.ofSeconds(-5)), 401),
        new Case("wrong grant", TestTokens.hs256(wrongScope(needed, name)), 403),
        new Case("right grant " + right, TestTokens.hs256(right.toString()), 0),
        new Case("admin", TestTokens.hs256("admin"), 0));
  }

  /** Every grant that is not enough: other names, names sharing a prefix, kinds not asked for. */
  private static String wrongScope(Requirement needed, String name) {
    List<String> scope = new ArrayList<>();
    for (Grant.Kind kind : List.of(Grant.Kind.PUBLISH, Grant.Kind.CONSUME, Grant.Kind.MANAGE)) {
      String k = kind.name().toLowerCase();
      scope.add(k + ":" + name + "x");
      scope.add(k + ":x" + name + "*");
      if (needed.anyOf().stream().noneMatch(g -> g.kind() == kind)) {
        scope.add(k + ":" + name);
        scope.add(k + ":*");
      }
    }
    return String.join(" ", scope);
  }

  private static String path(EndpointGrants.Rule rule) {
    return rule.path().replace("{topic}", TOPIC).replace("{subscription}", SUBSCRIPTION);
  }

  private static List<String> segments(String path) {
    return List.of(path.substring(1).split("/", -1));
  }

  private static boolean isWebSocket(EndpointGrants.Rule rule) {
    return rule.path().endsWith("/ws") || rule.path().endsWith("/publish");
  }

  @TestFactory
  Stream<DynamicTest> everyEndpointRefusesWhatItMustAndLetsThroughWhatItMay() {
    List<DynamicTest> tests = new ArrayList<>();
    for (EndpointGrants.Rule rule : EndpointGrants.RULES) {
      if (!rule.describe().equals("none")) {
        String name = rule.path().contains("{topic}") ? TOPIC : SUBSCRIPTION;
        for (Carrier carrier : Carrier.values()) {
          for (Case c : cases(rule, name)) {
            tests.add(DynamicTest.dynamicTest(
                rule.method() + " " + rule.path() + " " + carrier + " " + c.name(),
                () -> check(rule, carrier, c)));
          }
        }
      }
    }
    return tests.stream();
  }

  private void check(EndpointGrants.Rule rule, Carrier carrier, Case c) throws Exception {
    // A DELETE that passed removed them.
    if (!backend.topics.containsKey(TOPIC)) {
      backend.addTopic(TOPIC, 1);
    }
    backend.registry.put(SUBSCRIPTION, Existence.EXISTS);
    String path = path(rule);
    if (c.token() != null && carrier == Carrier.QUERY) {
      path += "?access_token=" + c.token();
    }
    String header = c.token() != null && carrier == Carrier.HEADER ? c.token() : null;
    if (isWebSocket(rule)) {
      int status = upgrade(path, header);
      if (c.expected() == 0) {
        assertEquals(101, status, "the upgrade passes access control");
      } else {
        assertEquals(c.expected(), status);
      }
      return;
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .header("Content-Type", "application/json")
            .method(rule.method(),
                rule.method().equals("GET") || rule.method().equals("DELETE")
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString("{}"));
    if (header != null) {
      request.header("Authorization", "Bearer " + header);
    }
    if (rule.path().endsWith("/messages") && rule.method().equals("GET")) {
      request.uri(URI.create(request.build().uri() + (path.contains("?") ? "&" : "?") + "wait=0s"));
    }
    HttpResponse<java.io.InputStream> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    try (var body = response.body()) {
      int status = response.statusCode();
      if (c.expected() == 0) {
        assertNotEquals(401, status, "passes access control");
        assertNotEquals(403, status, "passes access control");
        assertTrue(status < 500, "answered " + status);
        return;
      }
      assertEquals(c.expected(), status);
      assertEquals("application/problem+json",
          response.headers().firstValue("Content-Type").orElse("").split(";")[0]);
      String problem = new String(body.readAllBytes());
      assertTrue(problem.contains("\"status\":" + c.expected()), problem);
      if (c.token() != null) {
        assertFalse(problem.contains(c.token()), "the token is never echoed");
      }
      if (status == 401) {
        assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("")
            .startsWith("Bearer"));
      }
    }
  }

  /** The status of a WebSocket upgrade of {@code path}: 101 when it opened. */
  private int upgrade(String path, String bearer) {
    try (FrameSocket ws = CourierClient.builder("http://127.0.0.1:" + port).token(bearer).build()
        .frames(path)) {
      return 101;
    } catch (ProblemException refused) {
      return refused.status();
    }
  }

  @Test
  void healthTheOpenApiDocumentAndTheDashboardsFilesNeedNoToken() throws Exception {
    List<String> open = EndpointGrants.RULES.stream()
        .filter(r -> r.describe().equals("none")).map(EndpointGrants.Rule::path).toList();
    assertEquals(
        List.of("/health/alive", "/health/ready", "/ui/{file}", "/v1/openapi.json"), open);
    for (String path : open) {
      var response = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
              + path.replace("{file}", "dashboard.js"))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), path);
    }
  }

  @Test
  void anEndpointWithoutARuleNeedsAdmin() throws Exception {
    String token = TestTokens.hs256("publish:* consume:* manage:*");
    var response = client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
            .header("Authorization", "Bearer " + token).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, response.statusCode());
    assertTrue(response.body().contains("needs admin"), response.body());
  }

  @Test
  void anSseStreamByQueryTokenEndsWithRetryWhenTheTokenExpires() throws Exception {
    String token = TestTokens.hs256(TestTokens.SECRET, "consume:" + SUBSCRIPTION,
        Duration.ofSeconds(3));
    try (SseConnection sse = SseConnection.open(port,
        "/v1/subscriptions/" + SUBSCRIPTION + "/events?access_token=" + token)) {
      assertEquals(200, sse.status);
      assertTrue(sse.endedWithin(Duration.ofSeconds(15)), "the stream ends with its token");
      List<String> lines = new ArrayList<>();
      for (String line = sse.nextLine(Duration.ZERO); line != null;
          line = sse.nextLine(Duration.ZERO)) {
        if (!line.isEmpty() && !line.startsWith(":")) {
          lines.add(line);
        }
      }
      assertEquals("retry: " + settings.sseRetry().toMillis(), lines.get(lines.size() - 1),
          "retry: is the last thing sent");
    }
  }

  @Test
  void anSseStreamWithALongerTokenStaysOpen() throws Exception {
    String token = TestTokens.hs256("consume:" + SUBSCRIPTION);
    try (SseConnection sse = SseConnection.open(port,
        "/v1/subscriptions/" + SUBSCRIPTION + "/events?access_token=" + token)) {
      assertEquals(200, sse.status);
      assertFalse(sse.endedWithin(Duration.ofSeconds(2)));
    }
  }

  @Test
  void aWebSocketIsClosedWith1008WhenItsTokenExpires() throws Exception {
    String token = TestTokens.hs256(TestTokens.SECRET, "consume:" + SUBSCRIPTION,
        Duration.ofSeconds(2));
    long expiresAt = com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet()
        .getExpirationTime().getTime();
    try (FrameSocket ws = CourierClient.builder("http://127.0.0.1:" + port).build()
            .frames("/v1/subscriptions/"
        + SUBSCRIPTION + "/ws?access_token=" + token)) {
      assertEquals(1008, ws.awaitClose(Duration.ofSeconds(30)));
      assertTrue(ws.closeReason().contains("token expired"), ws.closeReason());
      long late = ws.closedAt().toEpochMilli() - expiresAt;
      assertTrue(late >= 0 && late <= 1000, "closed " + late + " ms after the token's exp");
      assertEquals(0, ws.unread(), "nothing is sent with or after the close");
    }
  }

  @Test
  void aPublishStreamIsClosedWith1008WhenItsTokenExpires() throws Exception {
    String token = TestTokens.hs256(TestTokens.SECRET, "publish:" + TOPIC, Duration.ofSeconds(2));
    long expiresAt = com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet()
        .getExpirationTime().getTime();
    try (FrameSocket ws = CourierClient.builder("http://127.0.0.1:" + port).build()
            .frames("/v1/topics/" + TOPIC
        + "/publish?access_token=" + token)) {
      ws.send("{\"data\": 1}");
      var answer = ws.next();
      assertTrue(answer.has("offset"), "publishes are answered until then: " + answer);
      assertEquals(1008, ws.awaitClose(Duration.ofSeconds(30)));
      assertTrue(ws.closeReason().contains("token expired"), ws.closeReason());
      long late = ws.closedAt().toEpochMilli() - expiresAt;
      assertTrue(late >= 0 && late <= 1000, "closed " + late + " ms after the token's exp");
    }
  }
}
