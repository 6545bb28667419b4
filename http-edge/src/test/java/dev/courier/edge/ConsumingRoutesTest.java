package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.courier.client.CourierClient;
import dev.courier.client.FrameSocket;
import dev.courier.edge.consumer.ConsumerDrain;
import dev.courier.port.CourierBackend.Existence;
import dev.courier.protocol.subscription.ConsumerMessage;
import dev.courier.protocol.subscription.ConsumerMode;
import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import dev.courier.protocol.subscription.SubscriptionCommand;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SSE streams and WebSocket consumers over real sockets, against a stub subscription entity: they
 * open whatever the cluster's state, wait for the subscription, and say so when the server ends
 * them.
 */
class ConsumingRoutesTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          ConfigFactory.parseResources("courier-http.conf").withFallback(ConfigFactory.load()));
  private static final HttpClient client = HttpClient.newHttpClient();
  private static final StubBackend backend = new StubBackend();
  private static final ConsumerDrain drains = new ConsumerDrain();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static EdgeSettings settings;
  private static int port;
  private StubSubscription entity;

  @BeforeAll
  static void bind() throws Exception {
    settings = EdgeSettings.fromConfig(testKit.system().settings().config());
    ServerBinding binding =
        Http.get(testKit.system())
            .newServerAt("127.0.0.1", 0)
            .bind(new CourierRoutes(testKit.system(), backend, settings, drains).routes())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    port = binding.localAddress().getPort();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void reset() {
    backend.registry.clear();
    backend.registryHangs.clear();
    backend.entitySilent.clear();
    entity = new StubSubscription();
  }

  private void entityAttaches() {
    backend.entity = testKit.spawn(entity.attaching());
  }

  private void entityNeverAnswers() {
    backend.entity = testKit.spawn(entity.silent());
  }

  /** The status of a GET, read as soon as it comes (an event stream's body never ends). */
  private static int status(String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Accept", "text/event-stream").build();
    HttpResponse<java.io.InputStream> response =
        client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    response.body().close();
    return response.statusCode();
  }

  private static Delivery delivery(String ackId) {
    return new Delivery(
        new DeliveryRecord(ackId, "id-" + ackId, "t", 0, 1, null, Instant.EPOCH, Map.of(), "1", 1),
        "c-" + ackId);
  }

  private String retryLine() {
    return "retry: " + settings.sseRetry().toMillis();
  }

  /** The lines up to and including the next one starting with {@code prefix}. */
  private static List<String> linesUntil(SseConnection sse, String prefix) throws Exception {
    List<String> seen = new ArrayList<>();
    while (true) {
      String line = sse.nextLine(WAIT);
      assertNotNull(line, () -> "no line starting '" + prefix + "' after " + seen);
      seen.add(line);
      if (line.startsWith(prefix)) {
        return seen;
      }
    }
  }

  @Test
  void sseIsAnswered200AndHeartbeatsWhileTheSubscriptionDoesNotAnswer() throws Exception {
    backend.registry.put("moving", Existence.EXISTS);
    entityNeverAnswers();
    try (SseConnection sse = SseConnection.open(port, "/v1/subscriptions/moving/events")) {
      assertEquals(200, sse.status);
      assertTrue(sse.headers.get("content-type").startsWith("text/event-stream"),
          sse.headers.toString());
      assertEquals(retryLine(), sse.nextLine(WAIT), "retry: comes first");
      assertEquals("", sse.nextLine(WAIT));
      for (int i = 0; i < 2; i++) {
        assertEquals(":", sse.nextLine(settings.sseHeartbeat().multipliedBy(3)), "a heartbeat");
        assertEquals("", sse.nextLine(WAIT));
      }
      var attach = (SubscriptionCommand.Attach) entity.next(SubscriptionCommand.Attach.class).what();
      assertEquals(ConsumerMode.CURSOR, attach.mode());
    }
  }

  @Test
  void onlyASubscriptionKnownNotToExistIsRefused() throws Exception {
    assertEquals(404, status("/v1/subscriptions/never-made/events"), "registry and entity agree");
    assertEquals(400, status("/v1/subscriptions/bad%20name/events"));
    entityNeverAnswers();
    backend.registryHangs.add("storage-slow");
    assertEquals(200, status("/v1/subscriptions/storage-slow/events"));
    backend.entitySilent.add("unregistered-and-moving");
    assertEquals(200, status("/v1/subscriptions/unregistered-and-moving/events"));
  }

  @Test
  void aStreamTheServerEndsSaysRetryLast() throws Exception {
    backend.registry.put("deleted", Existence.EXISTS);
    entityAttaches();
    try (SseConnection sse = SseConnection.open(port, "/v1/subscriptions/deleted/events")) {
      assertEquals(200, sse.status);
      var attach = (SubscriptionCommand.Attach) entity.next(SubscriptionCommand.Attach.class).what();
      attach.consumer().tell(new ConsumerMessage.Deliveries(List.of(delivery("0-1"))));
      List<String> event = linesUntil(sse, "data: ");
      assertTrue(event.get(event.size() - 3).startsWith("id: c-0-1~"), event::toString);
      assertEquals("event: message", event.get(event.size() - 2));
      attach.consumer().tell(new ConsumerMessage.Closed("subscription deleted"));
      List<String> rest = new ArrayList<>();
      assertTrue(sse.endedWithin(WAIT), "the stream ends");
      for (String line = sse.nextLine(Duration.ZERO); line != null; line = sse.nextLine(Duration.ZERO)) {
        rest.add(line);
      }
      rest.removeIf(line -> line.isEmpty() || line.equals(":"));
      assertEquals(List.of(retryLine()), rest, "retry: is the last thing sent");
    }
  }

  /** The figure issue 9 asks for: how long after the client closes does its consumer detach? */
  @Test
  void aClosedStreamIsNoticedAndItsConsumerDetaches() throws Exception {
    backend.registry.put("watched", Existence.EXISTS);
    entityAttaches();
    for (boolean afterDelivery : new boolean[] {false, true}) {
      SseConnection sse = SseConnection.open(port, "/v1/subscriptions/watched/events");
      var attach = (SubscriptionCommand.Attach) entity.next(SubscriptionCommand.Attach.class).what();
      if (afterDelivery) {
        attach.consumer().tell(new ConsumerMessage.Deliveries(List.of(delivery("0-2"))));
        linesUntil(sse, "data: ");
      } else {
        linesUntil(sse, ":");
      }
      long closed = System.nanoTime();
      sse.close();
      var detach = entity.next(SubscriptionCommand.Detach.class);
      assertTrue(entity.seen.stream().noneMatch(s -> s.what() instanceof SubscriptionCommand.Proven),
          "nothing written after the client went away was proven");
      assertEquals(attach.consumer(), ((SubscriptionCommand.Detach) detach.what()).consumer());
      var stopped = entity.next(StubSubscription.ConsumerStopped.class);
      System.out.printf(
          "SSE close noticed (%s): Detach after %d ms, consumer stopped after %d ms%n",
          afterDelivery ? "just after a delivery" : "idle stream",
          (detach.nanos() - closed) / 1_000_000, (stopped.nanos() - closed) / 1_000_000);
    }
  }

  @Test
  void aSocketOpensWhileTheSubscriptionDoesNotAnswerWithTheSubscriptionsWindow() throws Exception {
    backend.registry.put("moving-ws", Existence.EXISTS);
    entityNeverAnswers();
    try (FrameSocket ws = CourierClient.builder("http://127.0.0.1:" + port).build()
            .frames("/v1/subscriptions/moving-ws/ws")) {
      var attach = (SubscriptionCommand.Attach) entity.next(SubscriptionCommand.Attach.class).what();
      assertEquals(ConsumerMode.LEASE, attach.mode());
      assertEquals(SubscriptionCommand.Attach.DEFAULT_WINDOW, attach.credit());
    }
  }

  @Test
  void aSocketWhoseSubscriptionIsDeletedIsClosedWith1013() throws Exception {
    backend.registry.put("deleted-ws", Existence.EXISTS);
    entityAttaches();
    try (FrameSocket ws = CourierClient.builder("http://127.0.0.1:" + port).build()
            .frames("/v1/subscriptions/deleted-ws/ws")) {
      var attach = (SubscriptionCommand.Attach) entity.next(SubscriptionCommand.Attach.class).what();
      attach.consumer().tell(new ConsumerMessage.Closed("subscription deleted"));
      assertEquals(1013, ws.awaitClose(Duration.ofSeconds(30)));
    }
  }

  @Test
  void aDrainClosesSocketsWith1001AndEndsStreamsWithRetry() throws Exception {
    backend.registry.put("draining", Existence.EXISTS);
    entityAttaches();
    try (FrameSocket ws = CourierClient.builder("http://127.0.0.1:" + port).build()
            .frames("/v1/subscriptions/draining/ws");
        SseConnection sse = SseConnection.open(port, "/v1/subscriptions/draining/events")) {
      entity.next(SubscriptionCommand.Attach.class);
      entity.next(SubscriptionCommand.Attach.class);
      drains.drainAll(testKit.system(), WAIT);
      assertEquals(1001, ws.awaitClose(Duration.ofSeconds(30)));
      assertTrue(sse.endedWithin(WAIT), "the stream ends");
      String last = null;
      for (String line = sse.nextLine(Duration.ZERO); line != null; line = sse.nextLine(Duration.ZERO)) {
        if (!line.isEmpty() && !line.equals(":")) {
          last = line;
        }
      }
      assertEquals(retryLine(), last);
    }
  }

  @Test
  void aSocketNeedsAnUpgrade() throws Exception {
    backend.registry.put("plain", Existence.EXISTS);
    assertEquals(400, status("/v1/subscriptions/plain/ws"));
    assertEquals(404, status("/v1/subscriptions/never-made/ws"));
  }
}
