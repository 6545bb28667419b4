package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.courier.port.CourierBackend;
import dev.courier.port.MetricsSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@code GET /metrics}: the backend's scrape as Prometheus text, fresh on every request. */
class MetricsRoutesTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final HttpClient client = HttpClient.newHttpClient();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A backend that answers only {@code metrics()}. */
  private static CourierBackend backend(Optional<MetricsSource> metrics) {
    return OneAnswerBackend.answering("metrics", metrics);
  }

  private static HttpResponse<String> get(CourierBackend backend, String path) throws Exception {
    int port = Http.get(testKit.system()).newServerAt("127.0.0.1", 0)
        .bind(new MetricsRoutes(backend).routes()).toCompletableFuture()
        .get(10, TimeUnit.SECONDS).localAddress().getPort();
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheScrapeInPrometheusTextFormat() throws Exception {
    AtomicInteger scrapes = new AtomicInteger();
    CourierBackend backend = backend(Optional.of(
        () -> "courier_up_total " + scrapes.incrementAndGet() + "\n"));
    HttpResponse<String> first = get(backend, "/metrics");
    assertEquals(200, first.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=UTF-8",
        first.headers().firstValue("Content-Type").orElse(""));
    assertEquals("courier_up_total 1\n", first.body());
    assertEquals("courier_up_total 2\n", get(backend, "/metrics").body(), "scraped per request");
  }

  @Test
  void aBackendWithoutMetricsAnswersNotFound() throws Exception {
    HttpResponse<String> r = get(backend(Optional.empty()), "/metrics");
    assertEquals(404, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"));
  }
}
