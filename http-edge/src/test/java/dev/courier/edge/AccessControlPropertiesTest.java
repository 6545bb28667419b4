package dev.courier.edge;

import com.typesafe.config.ConfigFactory;
import dev.courier.edge.auth.TestTokens;
import dev.courier.edge.consumer.ConsumerDrain;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;

/** Whatever a client sends as a token, the answer is 401, never a 5xx, and never echoes it. */
class AccessControlPropertiesTest {
  private static ActorTestKit testKit;
  private static final HttpClient client = HttpClient.newHttpClient();
  private static int port;

  @BeforeContainer
  static void bind() throws Exception {
    testKit = ActorTestKit.create(
        ConfigFactory.parseResources("courier-http.conf").withFallback(ConfigFactory.load()));
    StubBackend backend = new StubBackend();
    backend.addTopic("orders", 1);
    port =
        Http.get(testKit.system())
            .newServerAt("127.0.0.1", 0)
            .bind(new CourierRoutes(testKit.system(), backend,
                    EdgeSettings.fromConfig(testKit.system().settings().config()),
                    new ConsumerDrain(), TestTokens.hs256Settings())
                .routes())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS)
            .localAddress()
            .getPort();
  }

  @AfterContainer
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Header-safe garbage: random text, JWT-shaped triples, real tokens cut or spliced. */
  @Provide
  Arbitrary<String> tokens() {
    String real = TestTokens.hs256("admin");
    Arbitrary<String> printable = Arbitraries.strings().ascii().ofMaxLength(300)
        .map(s -> s.replaceAll("[^\\x21-\\x7e]", "x"));
    Arbitrary<String> part = Arbitraries.strings().withCharRange('A', 'z').ofMaxLength(60);
    Arbitrary<String> triples = net.jqwik.api.Combinators.combine(part, part, part)
        .as((a, b, c) -> a + "." + b + "." + c);
    Arbitrary<String> cut = Arbitraries.integers().between(0, real.length() - 1)
        .map(n -> real.substring(0, n));
    Arbitrary<String> spliced = part.map(p -> real.substring(0, real.indexOf('.') + 1) + p
        + real.substring(real.lastIndexOf('.')));
    return Arbitraries.oneOf(printable, triples, cut, spliced);
  }

  @Property(tries = 150)
  void garbageAuthorizationHeadersAre401(@ForAll("tokens") String token,
      @ForAll boolean bearerPrefix) throws Exception {
    var response = client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/topics/orders"))
            .header("Authorization", (bearerPrefix ? "Bearer " : "") + token + "x")
            .build(),
        HttpResponse.BodyHandlers.ofString());
    check(response, token);
  }

  @Property(tries = 150)
  void garbageAccessTokensAre401(@ForAll("tokens") String token) throws Exception {
    var response = client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/v1/subscriptions/s/events?access_token="
                + URLEncoder.encode(token + "x", StandardCharsets.UTF_8)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    check(response, token);
  }

  @Property(tries = 50)
  void aMalformedQueryNeverQuotesItsToken(@ForAll("tokens") String token) throws Exception {
    String secret = "tok" + token.replaceAll("[^A-Za-z0-9]", "") + "en";
    // A raw socket: the JDK's client refuses to send a malformed URI.
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(
          ("GET /v1/subscriptions/s/events?access_token=" + secret + "%zz HTTP/1.1\r\n"
                  + "Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!answer.startsWith("HTTP/1.1 4") || answer.contains(secret)) {
        throw new AssertionError(answer);
      }
    }
  }

  private static void check(HttpResponse<String> response, String token) {
    if (response.statusCode() != 401) {
      throw new AssertionError("answered " + response.statusCode() + ": " + response.body());
    }
    if (token.length() > 8 && response.body().contains(token)) {
      throw new AssertionError("the token was echoed: " + response.body());
    }
  }
}
