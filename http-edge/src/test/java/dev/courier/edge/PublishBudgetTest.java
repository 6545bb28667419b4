package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.protocol.topic.PublishReply;
import dev.courier.protocol.topic.PublishResult;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The node's budget of publish bytes in flight: while publishes hold it, another is answered 429
 * with Retry-After and not published; once they are answered, publishing goes on. Each publish is
 * its own connection (a raw socket), as concurrent clients are.
 */
class PublishBudgetTest {
  private static GuardedServer server;

  @BeforeAll
  static void start() throws Exception {
    server = GuardedServer.start("courier.http.limits.max-publish-bytes-in-flight = 1000");
  }

  @AfterAll
  static void stop() {
    server.stop();
  }

  /** Publishes a message of {@code dataChars} characters; the answer's head. */
  private static String publish(int dataChars) throws IOException {
    return server.rawPublish("{\"data\":\"" + "x".repeat(dataChars) + "\"}");
  }

  @Test
  void pastTheBudgetAPublishIsRefused429UntilTheOthersAreAnswered() throws Exception {
    CompletableFuture<PublishReply> slowStorage = new CompletableFuture<>();
    server.backend().publishStall = slowStorage;
    // Holds about 611 bytes until storage answers.
    CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
      try {
        return publish(600);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.backend().published.isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "the first publish did not reach storage");
      Thread.onSpinWait();
    }
    String refused = publish(600);
    assertTrue(refused.startsWith("HTTP/1.1 429"), refused);
    assertTrue(refused.contains("Retry-After: 1"), refused);
    assertTrue(refused.contains("Content-Type: application/problem+json"), refused);
    assertEquals(1, server.backend().published.size(), "the refused one was not published");
    server.backend().publishStall = null;
    assertTrue(publish(100).startsWith("HTTP/1.1 200"), "a small one still fits");

    slowStorage.complete(new PublishReply.Published(
        List.of(new PublishResult("a", 0, 0, Instant.now(), false))));
    assertTrue(first.get(15, TimeUnit.SECONDS).startsWith("HTTP/1.1 200"));
    assertTrue(publish(600).startsWith("HTTP/1.1 200"), "the budget is back");
  }
}
