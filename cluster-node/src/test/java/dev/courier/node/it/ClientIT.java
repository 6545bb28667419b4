package dev.courier.node.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.courier.client.CourierClient;
import dev.courier.client.Delivery;
import dev.courier.client.FrameSocket;
import dev.courier.client.HttpAnswer;
import dev.courier.client.Message;
import dev.courier.client.Page;
import dev.courier.client.ProblemException;
import dev.courier.client.PublishResult;
import dev.courier.client.SseConsumer;
import dev.courier.client.SseEvent;
import dev.courier.client.Subscription;
import dev.courier.client.SubscriptionSettings;
import dev.courier.client.Topic;
import dev.courier.client.TopicSettings;
import dev.courier.client.WebSocketConsumer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every call of the client against a real node on the real Cassandra, with access control on so
 * that every call (SSE and WebSocket included) carries its bearer token.
 */
class ClientIT {
  private static final byte[] KEY = "client-it-secret-of-32-bytes-xyz".getBytes(StandardCharsets.UTF_8);
  private static final Duration AWAIT = Duration.ofSeconds(30);

  private static TestNode node;
  private static CourierClient client;
  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void start() throws Exception {
    // A keyspace of its own: listing subscriptions asks each for its live state, and the hundreds
    // other tests leave in the shared keyspace made each listing take a minute or more.
    node = TestNode.start("courier.cassandra.schema.keyspace = courier_client_it\n"
        + "courier.http.auth { mode = jwt, jwt-secret = \""
        + Base64.getEncoder().encodeToString(KEY) + "\" }");
    client = CourierClient.builder(node.url()).token(token("admin")).build();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  static String token(String scope) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256),
        new JWTClaimsSet.Builder().claim("scope", scope)
            .expirationTime(Date.from(Instant.now().plusSeconds(600))).build());
    jwt.sign(new MACSigner(KEY));
    return jwt.serialize();
  }

  private static String name(String what) {
    return "cl-" + what + "-" + RUN;
  }

  @Test
  void topicsAreCreatedListedShownAndDeleted() {
    String t = name("topics");
    Topic created = client.createTopic(t,
        new TopicSettings(2, Duration.ofDays(2), Duration.ofHours(1)));
    assertEquals(t, created.name());
    assertEquals(2, created.partitions());
    assertEquals(created.json(), client.createTopic(t,
        new TopicSettings(2, Duration.ofDays(2), Duration.ofHours(1))).json());
    ProblemException conflict = assertThrows(ProblemException.class,
        () -> client.createTopic(t, new TopicSettings(3, null, null)));
    assertEquals(409, conflict.status());
    client.createTopic(t + "-b", TopicSettings.defaults());

    List<String> seen = new ArrayList<>();
    Page<Topic> page = client.listTopics(1, null);
    int pages = 1;
    seen.addAll(page.items().stream().map(Topic::name).toList());
    while (page.hasMore()) {
      assertEquals(1, page.items().size());
      page = client.listTopics(1, page.nextPageToken());
      seen.addAll(page.items().stream().map(Topic::name).toList());
      pages++;
    }
    assertTrue(seen.containsAll(List.of(t, t + "-b")), "listed: " + seen);
    assertTrue(pages >= 2);

    Topic shown = client.topic(t);
    assertEquals(0, shown.nextOffset(0));
    assertEquals(0, shown.nextOffset(1));

    client.deleteTopic(t + "-b");
    assertEquals(404, assertThrows(ProblemException.class, () -> client.topic(t + "-b")).status());
  }

  @Test
  void publishSingleAndBatchWithIdsKeysAndAttributes() {
    String t = name("publish");
    client.createTopic(t, new TopicSettings(1, null, null));
    PublishResult one = client.publish(t,
        Message.of(Map.of("amount", 12)).withId("o-1").withKey("acct-7")
            .withAttributes(Map.of("type", "created")));
    assertEquals("o-1", one.id());
    assertEquals(0, one.offset());
    assertFalse(one.duplicate());
    assertTrue(client.publish(t, Message.of(Map.of("amount", 12)).withId("o-1")
        .withKey("acct-7")).duplicate());

    List<PublishResult> batch = client.publish(t,
        List.of(Message.of("two").withId("o-2"), Message.of(3).withId("o-3").withKey("acct-7")));
    assertEquals(List.of("o-2", "o-3"), batch.stream().map(PublishResult::id).toList());
    assertEquals(List.of(1L, 2L), batch.stream().map(PublishResult::offset).toList());
    assertEquals(3, client.topic(t).nextOffset(0));

    Delivery latest = client.latest(t, "acct-7").orElseThrow();
    assertEquals("o-3", latest.id());
    assertEquals(3, latest.data().asInt());
    assertTrue(client.latest(t, "nobody").isEmpty());

    ProblemException bad = assertThrows(ProblemException.class,
        () -> client.publish(t, List.of(Message.of(1).withId("x".repeat(300)))));
    assertEquals(400, bad.status());
    assertFalse(bad.detail().isEmpty());
    assertEquals(3, client.topic(t).nextOffset(0), "a rejected batch stores nothing");
    assertEquals(404, assertThrows(ProblemException.class,
        () -> client.publish(name("nowhere"), Message.of(1))).status());
  }

  @Test
  void subscriptionsAreCreatedListedShownPatchedSoughtAndDeleted() {
    String t = name("subs");
    String s = name("subs-s");
    client.createTopic(t, new TopicSettings(1, null, null));
    client.publish(t, List.of(Message.of(1).withId("a"), Message.of(2).withId("b")));
    Subscription created = client.createSubscription(s, SubscriptionSettings.of(t)
        .startAt("earliest").ackDeadline(Duration.ofSeconds(20)).maxInFlight(50)
        .maxDeliveries(4).lagWarning(Duration.ofSeconds(3)));
    assertEquals(s, created.name());
    assertEquals(t, created.topic());
    assertEquals("earliest", created.startAt());
    assertEquals("PT20S", created.json().path("ackDeadline").asText());
    assertEquals(50, created.json().path("maxInFlight").asInt());
    client.createSubscription(s + "-b", SubscriptionSettings.of(t));

    List<String> seen = new ArrayList<>();
    String token = null;
    do {
      Page<Subscription> page = client.listSubscriptions(1, token);
      page.items().forEach(x -> seen.add(x.name()));
      token = page.nextPageToken();
    } while (token != null);
    assertTrue(seen.containsAll(List.of(s, s + "-b")), "listed: " + seen);

    awaitBacklog(s, 2);
    Subscription patched = client.patchSubscription(s,
        SubscriptionSettings.change().overflow("drop-oldest").maxBacklog(500));
    assertEquals("drop-oldest", patched.overflow());
    assertEquals(409, assertThrows(ProblemException.class,
        () -> client.patchSubscription(s, SubscriptionSettings.change().with("topic", "x")))
        .status());

    String atLatest = client.seek(s, "latest");
    assertNotNull(atLatest);
    awaitBacklog(s, 0);
    String atEarliest = client.seek(s, "earliest");
    awaitBacklog(s, 2);
    client.seekToCursor(s, atLatest);
    awaitBacklog(s, 0);
    assertNotNull(atEarliest);
    client.seek(s, Instant.now().minusSeconds(3600).toString());
    awaitBacklog(s, 2);

    client.deleteSubscription(s + "-b");
    assertEquals(404, assertThrows(ProblemException.class,
        () -> client.subscription(s + "-b")).status());
  }

  @Test
  void longPollingLeasesAndAcksAndNacks() {
    String t = name("poll");
    String s = name("poll-s");
    client.createTopic(t, new TopicSettings(1, null, null));
    client.createSubscription(s, SubscriptionSettings.of(t).startAt("earliest"));
    client.publish(t, List.of(Message.of(1).withId("p1"), Message.of(2).withId("p2")));

    List<Delivery> got = new ArrayList<>();
    long deadline = System.nanoTime() + AWAIT.toNanos();
    while (got.size() < 2 && System.nanoTime() < deadline) {
      got.addAll(client.poll(s, 10, Duration.ofSeconds(2)));
    }
    assertEquals(List.of("p1", "p2"), got.stream().map(Delivery::id).toList());
    assertEquals(1, client.ack(s, List.of(got.get(0).ackId())));
    assertEquals(0, client.ack(s, List.of(got.get(0).ackId())), "an acked id is not counted");
    assertEquals(1, client.nack(s, List.of(got.get(1).ackId()), Duration.ZERO));

    Delivery again = null;
    deadline = System.nanoTime() + AWAIT.toNanos();
    while (again == null && System.nanoTime() < deadline) {
      again = client.poll(s, 10, Duration.ofSeconds(2)).stream().findFirst().orElse(null);
    }
    assertNotNull(again);
    assertEquals("p2", again.id());
    assertEquals(2, again.deliveryAttempt());
  }

  @Test
  void sseResumesAfterADroppedConnectionWithoutLosingOrRepeating() throws Exception {
    String t = name("sse");
    String s = name("sse-s");
    client.createTopic(t, new TopicSettings(1, null, null));
    client.createSubscription(s, SubscriptionSettings.of(t).startAt("earliest"));
    for (int i = 1; i <= 3; i++) {
      client.publish(t, Message.of(i).withId("e" + i));
    }
    String cursorOfE1;
    String cursorOfE6;
    try (CuttableProxy proxy = new CuttableProxy(URI.create(node.url()).getPort());
        SseConsumer sse = CourierClient.builder(proxy.url()).token(token("consume:" + s)).build()
            .sse(s, SseConsumer.Options.defaults().backoff(Duration.ofMillis(50),
                Duration.ofMillis(500)))) {
      SseEvent first = sse.messages(1, AWAIT).get(0);
      cursorOfE1 = first.id();
      assertEquals("e1", first.delivery().id());
      assertEquals(List.of("e2", "e3"), take(sse, 2));
      String cursor = sse.lastEventId();
      assertNotNull(cursor);
      proxy.cut();
      for (int i = 4; i <= 6; i++) {
        client.publish(t, Message.of(i).withId("e" + i));
      }
      assertEquals(List.of("e4", "e5", "e6"), take(sse, 3));
      assertTrue(sse.connects() >= 2, "reconnected: " + sse.connects());
      assertFalse(cursor.equals(sse.lastEventId()));
      cursorOfE6 = sse.lastEventId();
    }
    // A connection that goes silent without a reset (heartbeats stop) is reopened.
    try (CuttableProxy proxy = new CuttableProxy(URI.create(node.url()).getPort());
        SseConsumer sse = CourierClient.builder(proxy.url()).token(token("consume:" + s)).build()
            .sse(s, SseConsumer.Options.defaults().resumeAfter(cursorOfE6)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .idleTimeout(Duration.ofSeconds(3)))) {
      client.publish(t, Message.of(7).withId("e7"));
      assertEquals(List.of("e7"), take(sse, 1));
      proxy.silence();
      client.publish(t, Message.of(8).withId("e8"));
      assertEquals(List.of("e8"), take(sse, 1));
      assertTrue(sse.connects() >= 2, "reopened: " + sse.connects());
    }
    // A new consumer told where to resume starts right after that event.
    try (SseConsumer again = client.sse(s,
        SseConsumer.Options.defaults().resumeAfter(cursorOfE1))) {
      assertEquals(List.of("e2", "e3"), take(again, 2));
    }
    ProblemException unknown = assertThrows(ProblemException.class, () -> {
      try (SseConsumer gone = client.sse(name("no-such-sub"))) {
        gone.next(AWAIT);
      }
    });
    assertEquals(404, unknown.status());
  }

  @Test
  void webSocketConsumesWithCreditAcksAndNacks() throws Exception {
    String t = name("ws");
    String s = name("ws-s");
    client.createTopic(t, new TopicSettings(1, null, null));
    client.createSubscription(s, SubscriptionSettings.of(t).startAt("earliest")
        .ackDeadline(Duration.ofSeconds(60)));
    CompletableFuture<JsonNode> error = new CompletableFuture<>();
    try (WebSocketConsumer ws = client.webSocket(s, WebSocketConsumer.Options.defaults()
        .credit(2).onNotice(n -> {
          if (n.path("type").asText().equals("error")) {
            error.complete(n);
          }
        }))) {
      // The socket takes frames in order: the answer to a bad credit frame sent after the
      // credit of 2 means the window of 2 is in force before anything is published.
      ws.credit(-1);
      assertEquals(400, error.get(AWAIT.toSeconds(), TimeUnit.SECONDS).path("status").asInt());
      for (int i = 1; i <= 3; i++) {
        client.publish(t, Message.of(i).withId("w" + i));
      }
      Delivery a = ws.next(AWAIT);
      Delivery b = ws.next(AWAIT);
      assertEquals(List.of("w1", "w2"), List.of(a.id(), b.id()));
      assertNull(ws.next(Duration.ofMillis(700)), "a third beyond the window of 2");
      ws.ack(List.of(a.ackId())).get(AWAIT.toSeconds(), TimeUnit.SECONDS);
      Delivery c = ws.next(AWAIT);
      assertEquals("w3", c.id());
      ws.nack(List.of(b.ackId()), Duration.ZERO);
      Delivery redelivered = ws.next(AWAIT);
      assertEquals("w2", redelivered.id());
      assertEquals(2, redelivered.deliveryAttempt());
      ws.ack(List.of(redelivered.ackId(), c.ackId())).get(AWAIT.toSeconds(), TimeUnit.SECONDS);
      ws.credit(10);
      client.publish(t, Message.of(4).withId("w4"));
      assertEquals("w4", ws.next(AWAIT).id());
    }
    assertEquals(3, client.subscription(s).acked());
  }

  @Test
  void nodeAnswersAndErrorsCarryTheServersProblem() {
    assertTrue(client.ready());
    assertEquals("3.1.0", client.openApi().path("openapi").asText());
    CourierClient anonymous = CourierClient.builder(node.url()).build();
    ProblemException refused = assertThrows(ProblemException.class,
        () -> anonymous.listTopics(10, null));
    assertEquals(401, refused.status());
    assertFalse(refused.title().isEmpty());
    assertTrue(anonymous.ready(), "health needs no token");
    assertEquals(client.openApi(), anonymous.openApi(), "nor does the OpenAPI document");
    assertEquals(404, assertThrows(ProblemException.class,
        () -> client.subscription(name("missing"))).status());
  }

  @Test
  void rawRequestsAnswerStatusHeadersAndBodiesAsSent() {
    String t = name("raw");
    HttpAnswer created = client.request("PUT", "/v1/topics/" + t, "{\"partitions\": 1}");
    assertEquals(201, created.status());
    assertEquals(t, created.json().path("name").asText());
    HttpAnswer malformed = client.request("POST", "/v1/topics/" + t + "/messages", "{\"data\": ");
    assertEquals(400, malformed.status(), "no exception: the answer as sent");
    assertTrue(malformed.contentType().startsWith("application/problem+json"),
        malformed.contentType());
    assertEquals(400, malformed.problem().status());
    assertEquals(415, client.request("POST", "/v1/topics/" + t + "/messages", "x=1",
        "Content-Type", "application/x-www-form-urlencoded").status(), "the caller's type goes");
    assertEquals(401, CourierClient.builder(node.url()).build()
        .request("GET", node.url() + "/v1/topics").status(), "an absolute URL, no token");
    assertTrue(client.request("GET", "/health/ready").header("content-type").isPresent(),
        "headers by any case");
  }

  @Test
  void frameSocketSpeaksThePublishStreamAndOneShotSseEndsWithItsStream() throws Exception {
    String t = name("frames");
    String s = name("frames-sub");
    client.createTopic(t, new TopicSettings(1, null, null));
    client.createSubscription(s, SubscriptionSettings.of(t).startAt("earliest"));
    try (FrameSocket ws = client.frames("/v1/topics/" + t + "/publish")) {
      ws.send("{\"id\": \"f1\", \"data\": 1}");
      JsonNode result = ws.next();
      assertEquals("f1", result.path("id").asText());
      assertFalse(result.path("duplicate").asBoolean());
      ws.send("{\"data\": ");
      assertEquals(400, ws.next().path("status").asInt(), "an error frame; the socket goes on");
      ws.sendJson(Map.of("id", "f2", "data", 2));
      assertEquals("f2", ws.next().path("id").asText());
    }
    try (SseConsumer once = client.sse(s, SseConsumer.Options.defaults().reconnect(false))) {
      assertEquals(List.of("f1", "f2"), take(once, 2));
      assertEquals(1, once.connects());
    }
    try (SseConsumer missing = client.sse(name("nowhere"),
        SseConsumer.Options.defaults().reconnect(false))) {
      assertEquals(404, assertThrows(ProblemException.class, () -> missing.next(AWAIT)).status());
    }
    ProblemException refused = assertThrows(ProblemException.class,
        () -> client.frames("/v1/subscriptions/" + name("nowhere") + "/ws"));
    assertEquals(404, refused.status(), "a refused handshake carries the server's problem");
  }

  private static List<String> take(SseConsumer sse, int n) throws InterruptedException {
    return sse.messages(n, AWAIT).stream().map(e -> e.delivery().id()).toList();
  }

  private static void awaitBacklog(String sub, long backlog) {
    long deadline = System.nanoTime() + AWAIT.toNanos();
    long last = -1;
    while (System.nanoTime() < deadline) {
      last = client.subscription(sub).backlog();
      if (last == backlog) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("backlog of " + sub + " stayed " + last + ", not " + backlog);
  }
}
