package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.CourierClient;
import dev.courier.client.FrameSocket;
import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.PublishResult;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The publish stream's frames in the node's publish budget (1000 bytes here): a frame holds its
 * bytes from its first chunk until it is answered, a full budget stops the stream reading (and
 * refuses POSTs), a frame that finds no room within the frame timeout is answered 429 in its
 * place, and results keep frame order throughout.
 */
class PublishStreamBudgetTest {
  private static final CourierClient CLIENT = CourierClient.builder("http://127.0.0.1").build();
  private GuardedServer server;

  @BeforeEach
  void start() throws Exception {
    server = GuardedServer.start("""
        courier.http.limits.max-publish-bytes-in-flight = 1000
        courier.http.publish-stream.frame-timeout = 2s
        """);
  }

  @AfterEach
  void stop() {
    server.stop();
  }

  /** A message frame of exactly {@code bytes} bytes. */
  private static String frame(String id, int bytes) {
    String head = "{\"id\":\"" + id + "\",\"data\":\"";
    return head + "x".repeat(bytes - head.length() - 2) + "\"}";
  }

  /** The status line of a POST publish of a {@code bytes}-byte body. */
  private String post(int bytes) throws IOException {
    return server.rawPublish(frame("post", bytes)).lines().findFirst().orElse("");
  }

  private FrameSocket open() {
    return CLIENT.frames(server.base() + "/v1/topics/orders/publish");
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what);
      Thread.sleep(10);
    }
  }

  private CompletableFuture<PublishReply> stallStorage() {
    CompletableFuture<PublishReply> stall = new CompletableFuture<>();
    server.backend().publishStall = stall;
    return stall;
  }

  private void answerStorage(CompletableFuture<PublishReply> stall, String id) {
    server.backend().publishStall = null;
    stall.complete(new PublishReply.Published(
        List.of(new PublishResult(id, 0, 0, Instant.now(), false))));
  }

  @Test
  void aFrameInFlightHoldsTheBudgetAndAFullBudgetStopsTheStreamReading() throws Exception {
    var stall = stallStorage();
    try (FrameSocket ws = open()) {
      ws.send(frame("f-1", 600));
      await("the first frame reaches storage", () -> server.backend().published.size() == 1);
      assertEquals("HTTP/1.1 429 Too Many Requests", post(600), "the frame holds 600 of 1000 bytes");

      ws.send(frame("f-2", 600));
      assertNull(ws.poll(Duration.ofMillis(700)), "no answer while the first frame is unanswered");
      assertEquals(1, server.backend().published.size(), "the second frame waits for room");

      answerStorage(stall, "f-1");
      assertEquals("f-1", ws.next().get("id").asText());
      assertEquals("f-2", ws.next().get("id").asText(), "then the waiting frame, in order");
      assertEquals(2, server.backend().published.size());
    }
    assertEquals("HTTP/1.1 200 OK", post(600), "answered frames gave their bytes back");
  }

  @Test
  void aFrameHoldsItsChunksAsTheyArriveUntilItIsAnswered() throws Exception {
    try (FrameSocket ws = open()) {
      String whole = frame("p-1", 900);
      ws.sendPart(whole.substring(0, 700), false);
      await("the first 700 bytes are held", () -> {
        try {
          return post(400).equals("HTTP/1.1 429 Too Many Requests");
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      ws.sendPart(whole.substring(700), true);
      JsonNode result = ws.next();
      assertEquals("p-1", result.get("id").asText());
      String data = server.backend().published.stream()
          .filter(batch -> batch.get(0).id().equals("p-1")).findFirst().orElseThrow()
          .get(0).data();
      assertEquals("\"" + "x".repeat(900 - "{\"id\":\"p-1\",\"data\":\"\"}".length()) + "\"", data, "the frame whole");
    }
    assertEquals("HTTP/1.1 200 OK", post(600));
  }

  @Test
  void aFrameThatRunsOutOfRoomWhileReadIsAnswered429InItsPlace() throws Exception {
    var stall = stallStorage();
    try (FrameSocket ws = open()) {
      ws.send(frame("t-1", 600));
      await("the first frame reaches storage", () -> server.backend().published.size() == 1);
      String second = frame("t-2", 600);
      ws.sendPart(second.substring(0, 300), false); // fits: 900 of 1000
      ws.sendPart(second.substring(300), true); // does not: the frame is refused, not waited on
      assertNull(ws.poll(Duration.ofMillis(700)), "nothing is answered before the first frame");
      answerStorage(stall, "t-1");
      assertEquals("t-1", ws.next().get("id").asText());
      JsonNode refused = ws.next();
      assertEquals("error", refused.get("type").asText());
      assertEquals(429, refused.get("status").asInt(), refused.toString());
      assertEquals(1, server.backend().published.size(), "the refused frame was not published");

      ws.send(second);
      assertEquals("t-2", ws.next().get("id").asText(), "sent again, it goes through");
    }
    assertEquals("HTTP/1.1 200 OK", post(600), "nothing is left held");
  }

  @Test
  void aFrameThatFindsNoRoomWithinTheFrameTimeoutIsAnswered429InItsPlace() throws Exception {
    var stall = stallStorage();
    try (FrameSocket ws = open()) {
      ws.send(frame("w-1", 600));
      await("the first frame reaches storage", () -> server.backend().published.size() == 1);
      String second = frame("w-2", 600);
      ws.sendPart(second.substring(0, 500), false); // 1100 of 1000: waits for room, 1 s at most
      ws.sendPart(second.substring(500), true);
      assertNull(ws.poll(Duration.ofMillis(1500)), "nothing is answered before the first frame");
      answerStorage(stall, "w-1");
      assertEquals("w-1", ws.next().get("id").asText());
      JsonNode refused = ws.next();
      assertEquals(429, refused.get("status").asInt(), refused.toString());
      assertEquals(1, server.backend().published.size(), "the refused frame was not published");
      ws.send(frame("w-3", 600));
      assertEquals("w-3", ws.next().get("id").asText(), "the stream goes on");
    }
    assertEquals("HTTP/1.1 200 OK", post(600), "nothing is left held");
  }

  @Test
  void aFrameLargerThanTheLimitInUtf8BytesIsAnswered413() throws Exception {
    server.stop();
    server = GuardedServer.start("courier.http.publish-stream.max-frame-size = 1MiB");
    try (FrameSocket ws = open()) {
      // 400,000 three-byte characters: 1.2 MB in UTF-8, fewer than 1 Mi characters.
      ws.send("{\"data\":\"" + "\u20ac".repeat(400_000) + "\"}");
      JsonNode refused = ws.next();
      assertEquals(413, refused.get("status").asInt(), refused.toString());
      assertTrue(refused.get("detail").asText().contains("bytes"));
      ws.send(frame("ok", 100));
      assertFalse(ws.next().has("type"), "the stream goes on");
    }
  }
}
