package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.courier.client.CourierClient;
import dev.courier.client.FrameSocket;
import dev.courier.client.ProblemException;
import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.StoredMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP API's mapping of requests and failures, over a real socket, with a stub backend. */
class RoutesTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          ConfigFactory.parseResources("courier-http.conf").withFallback(ConfigFactory.load()));
  private static final HttpClient client = HttpClient.newHttpClient();
  private static final StubBackend backend = new StubBackend();
  private static String base;

  /** A response's status, headers of interest and JSON body. */
  record Answer(int status, String contentType, String retryAfter, JsonNode body) {}

  @BeforeAll
  static void bind() throws Exception {
    EdgeSettings settings = EdgeSettings.fromConfig(testKit.system().settings().config())
        .withPort(0);
    ServerBinding binding =
        HttpServer.start(testKit.system(), backend, settings).toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void reset() {
    backend.topics.clear();
    backend.published.clear();
    backend.nextPublishReply = null;
    backend.ready = true;
    backend.latest.clear();
    backend.addTopic("orders", 3);
  }

  private static Answer call(String method, String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null && !hasContentType(headers)) {
      b.header("Content-Type", "application/json");
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body());
    return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
        r.headers().firstValue("Retry-After").orElse(null), json);
  }

  private static boolean hasContentType(String... headers) {
    for (int i = 0; i < headers.length; i += 2) {
      if (headers[i].equalsIgnoreCase("Content-Type")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void topicsAreListedInPages() throws Exception {
    backend.addTopic("alpha", 1);
    backend.addTopic("beta", 1);
    Answer first = call("GET", "/v1/topics?limit=2", null);
    assertEquals(200, first.status());
    assertEquals(2, first.body().get("topics").size());
    String token = first.body().get("nextPageToken").asText();
    Answer second = call("GET", "/v1/topics?limit=2&pageToken=" + token, null);
    assertEquals(1, second.body().get("topics").size());
    assertNull(second.body().get("nextPageToken"), "the last page says so");
    assertProblem(call("GET", "/v1/topics?limit=0", null), 400);
    assertProblem(call("GET", "/v1/topics?limit=1001", null), 400);
    assertProblem(call("GET", "/v1/topics?pageToken=", null), 400);
  }

  @Test
  void requestsTheServerCannotParseGetProblems() throws Exception {
    assertEquals("400 application/problem+json", rawStatus("GET /v1/topics/%zz HTTP/1.1\r\n"));
    assertEquals("414 application/problem+json",
        rawStatus("GET /v1/topics/" + "a".repeat(20_000) + " HTTP/1.1\r\n"));
    assertEquals("431 application/problem+json",
        rawStatus("GET /v1/topics HTTP/1.1\r\nX-Big: " + "b".repeat(20_000) + "\r\n"));
  }

  /** Sends a request head as given (plus Host and the blank line); its answer's status and type. */
  private static String rawStatus(String head) throws Exception {
    return rawExchange(head + "Host: x\r\n\r\n");
  }

  /** Sends only the head of a POST declaring {@code length} bytes; its answer's status and type. */
  private static String refusedUnread(int length) throws Exception {
    return rawExchange("POST /v1/topics/orders/messages HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n");
  }

  private static String rawExchange(String head) throws Exception {
    URI uri = URI.create(base);
    try (var socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(
          socket.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII));
      String status = in.readLine().split(" ")[1];
      String type = "";
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-type:")) {
          type = line.substring("content-type:".length()).trim();
        }
      }
      return status + " " + type;
    }
  }

  private static void assertProblem(Answer a, int status) {
    assertEquals(status, a.status(), () -> "body: " + a.body());
    assertTrue(a.contentType().startsWith("application/problem+json"), a.contentType());
    assertEquals(status, a.body().get("status").asInt());
    assertTrue(a.body().get("title").isTextual());
  }

  @Test
  void topicsAreCreatedOnceAndConflictOnOtherSettings() throws Exception {
    assertEquals(201, call("PUT", "/v1/topics/t1", "{\"partitions\":2}").status());
    assertEquals(200, call("PUT", "/v1/topics/t1", "{\"partitions\":2}").status());
    assertProblem(call("PUT", "/v1/topics/t1", "{\"partitions\":5}"), 409);
    Answer defaults = call("PUT", "/v1/topics/t2", null);
    assertEquals(201, defaults.status());
    assertEquals("P7D", defaults.body().get("retention").asText());
    assertEquals("P1D", defaults.body().get("dedupWindow").asText());
  }

  @Test
  void overflowPoliciesAndSnapshotsAreAcceptedAndTheirBadSettingsNamed() throws Exception {
    Answer dropOldest = call("PUT", "/v1/subscriptions/d1",
        "{\"topic\":\"orders\",\"overflow\":\"drop-oldest\",\"maxBacklog\":100}");
    assertEquals(201, dropOldest.status(), () -> "body: " + dropOldest.body());
    assertEquals(100, dropOldest.body().get("maxBacklog").asLong());
    assertEquals(0, dropOldest.body().get("skipped").asLong());
    assertEquals(201, call("PUT", "/v1/subscriptions/d2",
        "{\"topic\":\"orders\",\"overflow\":\"latest\",\"lagWarning\":\"PT1S\"}").status());
    assertEquals("snapshot", call("PUT", "/v1/subscriptions/d3",
        "{\"topic\":\"orders\",\"startAt\":\"snapshot\"}").body().get("startAt").asText());
    Answer missing = call("PUT", "/v1/subscriptions/d4",
        "{\"topic\":\"orders\",\"overflow\":\"drop-oldest\"}");
    assertProblem(missing, 400);
    assertEquals("maxBacklog", missing.body().get("errors").get(0).get("field").asText());
    assertProblem(call("PUT", "/v1/subscriptions/d4",
        "{\"topic\":\"orders\",\"maxBacklog\":10}"), 400);
    assertProblem(call("PUT", "/v1/subscriptions/d4",
        "{\"topic\":\"orders\",\"overflow\":\"drop-oldest\",\"maxBacklog\":0}"), 400);
    assertProblem(call("PUT", "/v1/subscriptions/d4",
        "{\"topic\":\"orders\",\"overflow\":\"newest\"}"), 400);
    Answer lag = call("PUT", "/v1/subscriptions/d4",
        "{\"topic\":\"orders\",\"lagWarning\":\"PT0.01S\"}");
    assertProblem(lag, 400);
    assertEquals("lagWarning", lag.body().get("errors").get(0).get("field").asText());
    assertProblem(call("PUT", "/v1/subscriptions/d4",
        "{\"topic\":\"orders\",\"lagWarning\":\"P2D\"}"), 400);
  }

  @Test
  void aPatchChangesLiveSettingsAndRefusesFixedOnes() throws Exception {
    Answer changed = call("PATCH", "/v1/subscriptions/p1",
        "{\"overflow\":\"drop-oldest\",\"maxBacklog\":50,\"lagWarning\":\"PT2S\","
            + "\"ackDeadline\":\"PT10S\",\"maxInFlight\":7,\"maxDeliveries\":3}");
    assertEquals(200, changed.status(), () -> "body: " + changed.body());
    assertEquals("drop-oldest", changed.body().get("overflow").asText());
    assertEquals(50, changed.body().get("maxBacklog").asLong());
    assertEquals("PT2S", changed.body().get("lagWarning").asText());
    assertEquals(7, changed.body().get("maxInFlight").asInt());
    for (String fixed : List.of("{\"topic\":\"other\"}", "{\"ordered\":true}",
        "{\"startAt\":\"earliest\"}", "{\"query\":\"SELECT * FROM orders\"}",
        "{\"maxInFlight\":5,\"ordered\":true}")) {
      assertProblem(call("PATCH", "/v1/subscriptions/p1", fixed), 409);
    }
    assertProblem(call("PATCH", "/v1/subscriptions/p1", "{\"overflow\":\"drop-oldest\"}"), 400);
    assertProblem(call("PATCH", "/v1/subscriptions/p1", "{\"lagWarning\":\"PT0S\"}"), 400);
    assertProblem(call("PATCH", "/v1/subscriptions/p1", "{\"maxInFlight\":0}"), 400);
    assertProblem(call("PATCH", "/v1/subscriptions/p1", "{\"colour\":\"red\"}"), 400);
    assertProblem(call("PATCH", "/v1/subscriptions/p1", "{}"), 400);
    assertProblem(call("PATCH", "/v1/subscriptions/p1",
        "{\"overflow\":\"latest\",\"maxBacklog\":5}"), 400);
  }

  @Test
  void badTopicSettingsNameTheField() throws Exception {
    Answer a = call("PUT", "/v1/topics/t1", "{\"partitions\":0}");
    assertProblem(a, 400);
    assertEquals("partitions", a.body().get("errors").get(0).get("field").asText());
    assertProblem(call("PUT", "/v1/topics/t1", "{\"retention\":\"forever\"}"), 400);
    assertProblem(call("PUT", "/v1/topics/t1", "{\"retention\":\"PT1S\"}"), 400);
    assertProblem(call("PUT", "/v1/topics/t1", "{\"partition\":2}"), 400);
    assertProblem(call("PUT", "/v1/topics/" + "x".repeat(201), "{}"), 400);
    assertProblem(call("PUT", "/v1/topics/t1", "[1,2]"), 400);
  }

  @Test
  void publishValidatesEveryMessageBeforeAnyIsStored() throws Exception {
    Answer a = call("POST", "/v1/topics/orders/messages",
        "{\"messages\":[{\"data\":1},{\"data\":2,\"key\":7}]}");
    assertProblem(a, 400);
    assertEquals("messages[1].key", a.body().get("errors").get(0).get("field").asText());
    assertProblem(call("POST", "/v1/topics/orders/messages", "{\"id\":\"\",\"data\":1}"), 400);
    assertProblem(call("POST", "/v1/topics/orders/messages", "{\"id\":\"a\"}"), 400);
    assertProblem(call("POST", "/v1/topics/orders/messages", "{\"data\": tru}"), 400);
    assertEquals(0, backend.published.size(), "nothing reached the backend");
  }

  @Test
  void publishLimitsAre413() throws Exception {
    StringBuilder big = new StringBuilder("{\"messages\":[");
    for (int i = 0; i < 1001; i++) {
      big.append(i == 0 ? "" : ",").append("{\"data\":").append(i).append('}');
    }
    assertProblem(call("POST", "/v1/topics/orders/messages", big.append("]}").toString()), 413);
    String huge = "{\"data\":\"" + "y".repeat(1024 * 1024) + "\"}";
    assertProblem(call("POST", "/v1/topics/orders/messages", huge), 413);
    // Beyond the transport's limit the body is refused unread, from its declared length: the
    // answer comes before any of it is sent (a client still sending when the server closes would
    // see a reset instead, as with any HTTP/1.1 server).
    assertEquals("413 application/problem+json", refusedUnread(13 * 1024 * 1024));
    assertEquals(0, backend.published.size());
  }

  @Test
  void publishAnswersResultsInRequestOrder() throws Exception {
    Answer a = call("POST", "/v1/topics/orders/messages",
        "{\"messages\":[{\"id\":\"a\",\"data\":{\"x\":[1,2]}},{\"data\":null}]}");
    assertEquals(200, a.status());
    assertEquals("a", a.body().get("results").get(0).get("id").asText());
    assertEquals(26, a.body().get("results").get(1).get("id").asText().length(),
        "a server-chosen id");
    assertEquals("{\"x\":[1,2]}", backend.published.get(0).get(0).data(), "data kept verbatim");
    assertProblem(call("POST", "/v1/topics/missing/messages", "{\"data\":1}"), 404);
  }

  @Test
  void respondAsyncAnswers202() throws Exception {
    Answer a = call("POST", "/v1/topics/orders/messages", "{\"id\":\"q\",\"data\":1}",
        "Prefer", "respond-async");
    assertEquals(202, a.status());
    assertEquals("q", a.body().get("ids").get(0).asText());
  }

  @Test
  void overloadAndStorageFailuresAskToRetry() throws Exception {
    backend.nextPublishReply = new PublishReply.Overloaded("busy");
    Answer busy = call("POST", "/v1/topics/orders/messages", "{\"data\":1}");
    assertProblem(busy, 429);
    assertEquals("1", busy.retryAfter());
    backend.nextPublishReply = new PublishReply.Failed("down");
    Answer down = call("POST", "/v1/topics/orders/messages", "{\"data\":1}");
    assertProblem(down, 503);
    assertEquals("1", down.retryAfter());
  }

  @Test
  void aPollWhoseSubscriptionWasLostIsAnsweredEmptyAndOtherFailuresAreNot() throws Exception {
    Answer lost = call("GET", "/v1/subscriptions/lost/messages?wait=PT0S", null);
    assertEquals(200, lost.status(), () -> "body: " + lost.body());
    assertEquals(0, lost.body().get("messages").size());
    Answer broken = call("GET", "/v1/subscriptions/broken/messages?wait=PT0S", null);
    assertTrue(broken.status() >= 500, () -> "status " + broken.status());
  }

  @Test
  void consumingRequestsAreValidated() throws Exception {
    assertProblem(call("POST", "/v1/subscriptions/s1/nack", "{\"ackIds\":[\"0-1\"],\"delay\":\"soon\"}"), 400);
    assertProblem(call("POST", "/v1/subscriptions/s1/nack", "{\"ackIds\":[1]}"), 400);
    assertProblem(call("POST", "/v1/subscriptions/s1/nack", "{\"ackIds\":[],\"extra\":1}"), 400);
    assertEquals(200, call("POST", "/v1/subscriptions/s1/nack", "{\"ackIds\":[\"0-1\"]}").status());
    assertProblem(call("GET", "/v1/subscriptions/s1/messages?max=1001", null), 400);
    assertProblem(call("GET", "/v1/subscriptions/s1/messages?max=x", null), 400);
    assertProblem(call("GET", "/v1/subscriptions/s1/messages?wait=PT61S", null), 400);
    assertProblem(call("GET", "/v1/subscriptions/s1/messages?wait=-PT1S", null), 400);
    assertEquals(200, call("GET", "/v1/subscriptions/s1/messages?max=5&wait=PT0S", null).status());
    assertProblem(call("GET", "/v1/subscriptions?limit=0", null), 400);
    assertProblem(call("GET", "/v1/subscriptions/bad%20name/ws", null), 400);
    assertProblem(call("GET", "/v1/subscriptions/s1/ws", null), 404);
  }

  @Test
  void subscriptionRequestsAreValidated() throws Exception {
    assertEquals(201, call("PUT", "/v1/subscriptions/s1", "{\"topic\":\"orders\"}").status());
    assertProblem(call("PUT", "/v1/subscriptions/s1", "{}"), 400);
    assertProblem(call("PUT", "/v1/subscriptions/s1", "{\"topic\":\"missing\"}"), 404);
    assertProblem(call("PUT", "/v1/subscriptions/s1",
        "{\"topic\":\"orders\",\"ackDeadline\":\"PT0S\"}"), 400);
    assertProblem(call("PUT", "/v1/subscriptions/s1",
        "{\"topic\":\"orders\",\"startAt\":\"yesterday\"}"), 400);
    assertProblem(call("PUT", "/v1/subscriptions/s1",
        "{\"topic\":\"orders\",\"push\":{\"url\":\"http://127.0.0.1:1/\"}}"), 400);
    assertProblem(call("PUT", "/v1/subscriptions/s1",
        "{\"topic\":\"orders\",\"push\":{\"url\":\"ftp://x/\",\"secret\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"}}"), 400);
    assertProblem(call("POST", "/v1/subscriptions/s1/ack", "{\"ackIds\":\"0-1\"}"), 400);
    assertProblem(call("POST", "/v1/subscriptions/s1/ack",
        "{\"ackIds\":[\"" + "0".repeat(65) + "\"]}"), 400);
    assertProblem(call("POST", "/v1/subscriptions/s1/seek", "{\"to\":42}"), 400);
    assertProblem(call("GET", "/v1/subscriptions/s1", null), 404);
  }

  @Test
  void unknownPathsMethodsAndReadinessAreProblems() throws Exception {
    assertProblem(call("GET", "/v2/nothing", null), 404);
    assertProblem(call("PATCH", "/v1/topics/orders", "{}"), 405);
    assertEquals(200, call("GET", "/health/alive", null).status());
    assertEquals(200, call("GET", "/health/ready", null).status());
    backend.ready = false;
    assertProblem(call("GET", "/health/ready", null), 503);
  }

  @Test
  void latestNeedsAValidKeyAndAnswersTheStoredMessage() throws Exception {
    assertProblem(call("GET", "/v1/topics/orders/latest", null), 400);
    Answer empty = call("GET", "/v1/topics/orders/latest?key=", null);
    assertProblem(empty, 400);
    assertEquals("key", empty.body().get("errors").get(0).get("field").asText());
    assertProblem(call("GET", "/v1/topics/orders/latest?key=" + "k".repeat(1025), null), 400);
    assertProblem(call("GET", "/v1/topics/missing/latest?key=a", null), 404);
    assertProblem(call("GET", "/v1/topics/orders/latest?key=a", null), 404);
    backend.latest.put("orders/a", new StoredMessage("m-1", "a", 2, 41,
        Instant.parse("2026-01-31T12:00:00Z"), Map.of("type", "created"), "{\"x\":[1,2]}"));
    Answer found = call("GET", "/v1/topics/orders/latest?key=a", null);
    assertEquals(200, found.status());
    assertEquals("m-1", found.body().get("id").asText());
    assertEquals("a", found.body().get("key").asText());
    assertEquals(2, found.body().get("partition").asInt());
    assertEquals(41, found.body().get("offset").asLong());
    assertEquals("2026-01-31T12:00:00Z", found.body().get("publishTime").asText());
    assertEquals("created", found.body().get("attributes").get("type").asText());
    assertEquals("{\"x\":[1,2]}", Json.MAPPER.writeValueAsString(found.body().get("data")));
  }

  @Test
  void publishStreamIsAWebSocketOnAKnownTopic() throws Exception {
    Answer plain = call("GET", "/v1/topics/orders/publish", null);
    assertProblem(plain, 400);
    assertTrue(plain.body().get("detail").asText().contains("WebSocket"));
    assertProblem(call("GET", "/v1/topics/missing/publish", null), 404);
    ProblemException refused = assertThrows(ProblemException.class,
        () -> CourierClient.builder(base).build().frames("/v1/topics/missing/publish"));
    assertEquals(404, refused.status());
  }

  @Test
  void publishStreamAnswersEveryFrameInItsPlace() throws Exception {
    try (FrameSocket ws = CourierClient.builder(base).build().frames("/v1/topics/orders/publish")) {
      ws.send("{\"id\":\"a\",\"data\":1}");
      ws.send("{\"data\": tru}");
      ws.send("{\"messages\":[{\"id\":\"b\",\"data\":2},{\"id\":\"c\",\"data\":3}]}");
      ws.sendBinary(new byte[] {1, 2, 3});
      ws.send("{\"id\":\"d\",\"key\":7,\"data\":4}");
      ws.send("{\"id\":\"e\",\"data\":\"" + "y".repeat(13 * 1024 * 1024) + "\"}");
      ws.send("{\"id\":\"f\",\"data\":5}");

      assertResult(ws.next(), "a");
      assertError(ws.next(), 400);
      assertResult(ws.next(), "b");
      assertResult(ws.next(), "c");
      assertError(ws.next(), 400);
      JsonNode invalid = ws.next();
      assertError(invalid, 400);
      assertEquals("key", invalid.get("errors").get(0).get("field").asText());
      assertError(ws.next(), 413);
      assertResult(ws.next(), "f");
    }
    assertEquals(3, backend.published.size(), "only the valid frames reached the backend");
  }

  @Test
  void publishStreamReportsOverloadAndStorageFailureAndGoesOn() throws Exception {
    try (FrameSocket ws = CourierClient.builder(base).build().frames("/v1/topics/orders/publish")) {
      backend.nextPublishReply = new PublishReply.Overloaded("busy");
      ws.send("{\"data\":1}");
      assertError(ws.next(), 429);
      backend.nextPublishReply = new PublishReply.Failed("down");
      ws.send("{\"data\":1}");
      assertError(ws.next(), 503);
      backend.nextPublishReply = null;
      ws.send("{\"id\":\"g\",\"data\":1}");
      assertResult(ws.next(), "g");
    }
  }

  private static void assertResult(JsonNode frame, String id) {
    assertEquals(id, frame.get("id").asText(), frame::toString);
    assertTrue(frame.has("partition") && frame.has("offset") && frame.has("publishTime"),
        frame::toString);
    assertFalse(frame.get("duplicate").asBoolean());
  }

  private static void assertError(JsonNode frame, int status) {
    assertEquals("error", frame.path("type").asText(), frame::toString);
    assertEquals(status, frame.get("status").asInt(), frame::toString);
    assertTrue(frame.get("title").isTextual() && frame.get("detail").isTextual());
  }
}
