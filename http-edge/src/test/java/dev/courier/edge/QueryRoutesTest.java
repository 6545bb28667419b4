package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.courier.protocol.topic.StoredMessage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Queries at the edge: a subscription's query is compiled at PUT and an ad-hoc query over a
 * topic's history is checked and run; refusals carry their position, 4xx only.
 */
class QueryRoutesTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          ConfigFactory.parseResources("courier-http.conf").withFallback(ConfigFactory.load()));
  private static final HttpClient client = HttpClient.newHttpClient();
  static final StubBackend backend = new StubBackend();
  private static String base;

  record Answer(int status, String contentType, JsonNode body) {}

  @BeforeAll
  static void bind() throws Exception {
    EdgeSettings settings =
        EdgeSettings.fromConfig(testKit.system().settings().config()).withPort(0);
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
    backend.logs.clear();
    backend.addTopic("orders", 3);
    backend.addTopic("orders-eu", 1);
    // orders: message i on partition i % 3, published at T0 + i s, data {"i": i, "even": ...}.
    List<List<StoredMessage>> log = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      log.add(new ArrayList<>());
    }
    for (int i = 0; i < 30; i++) {
      List<StoredMessage> partition = log.get(i % 3);
      partition.add(new StoredMessage("o-" + i, "k" + i, i % 3, partition.size(),
          T0.plusSeconds(i), Map.of("n", String.valueOf(i)),
          "{\"i\":" + i + ",\"even\":" + (i % 2 == 0) + "}"));
    }
    backend.logs.put("orders", log);
  }

  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static Answer query(String body) throws Exception {
    return call("POST", "/v1/topics/orders/query", body);
  }

  private static List<Integer> is(JsonNode rows, String field) {
    List<Integer> out = new ArrayList<>();
    rows.forEach(r -> out.add((field == null ? r : r.get(field)).get("i").asInt()));
    return out;
  }

  @Test
  void aQueryOverHistoryAnswersRowsInPublishTimeOrder() throws Exception {
    Answer all = query("{\"sql\":\"SELECT * FROM orders WHERE data.even\"}");
    assertEquals(200, all.status(), () -> "body: " + all.body());
    assertEquals(30, all.body().get("scanned").asInt());
    assertEquals(false, all.body().get("truncated").asBoolean());
    JsonNode rows = all.body().get("rows");
    assertEquals(List.of(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28), is(rows, "data"));
    JsonNode record = rows.get(1);
    assertEquals("o-2", record.get("id").asText());
    assertEquals("orders", record.get("topic").asText());
    assertEquals(2, record.get("partition").asInt());
    assertEquals(0, record.get("offset").asInt());
    assertEquals("2", record.get("attributes").get("n").asText());

    Answer window = query("{\"sql\":\"SELECT data.i FROM orders\","
        + "\"from\":\"2026-01-01T00:00:05Z\",\"to\":\"2026-01-01T00:00:09Z\"}");
    assertEquals(List.of(5, 6, 7, 8), is(window.body().get("rows"), null));

    Answer limited = query("{\"sql\":\"SELECT data.i FROM orders\",\"limit\":4}");
    assertEquals(List.of(0, 1, 2, 3), is(limited.body().get("rows"), null));
    assertEquals(true, limited.body().get("truncated").asBoolean());
  }

  @Test
  void anAggregationOverHistoryClosesItsWindowsAtTheEnd() throws Exception {
    Answer a = query("{\"sql\":\"SELECT data.even, COUNT(*) AS n FROM orders"
        + " GROUP BY data.even, TUMBLE(publishTime, INTERVAL '10' SECOND)\"}");
    assertEquals(200, a.status(), () -> "body: " + a.body());
    JsonNode rows = a.body().get("rows");
    assertEquals(6, rows.size(), rows::toString);
    rows.forEach(r -> assertEquals(5, r.get("n").asInt(), r::toString));
    assertEquals("2026-01-01T00:00:20Z", rows.get(5).get("windowStart").asText());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "{\"sql\":\"SELECT * FROM orders WHERE\"}                    | 400 | sql: line 1, column",
        "{\"sql\":\"SELECT * FROM other\"}                           | 400 | sql: line 1, column 15",
        "{\"sql\":\"SELECT * FROM orders WHERE key > 1\"}            | 400 | sql: line 1, column 28",
        "{}                                                        | 400 | sql: is required",
        "{\"sql\":\"SELECT * FROM orders\",\"from\":\"yesterday\"}     | 400 | from",
        "{\"sql\":\"SELECT * FROM orders\",\"limit\":0}               | 400 | limit",
        "{\"sql\":\"SELECT * FROM orders\",\"limit\":10001}           | 400 | limit",
        "{\"sql\":\"SELECT * FROM orders\",\"colour\":1}              | 400 | colour",
        "`{\"sql\":\"SELECT * FROM orders\",\"from\":\"2026-01-02T00:00:00Z\",\"to\":\"2026-01-01T00:00:00Z\"}` | 400 | to",
      })
  void aBadQueryRequestIsA400NamingWhatIsWrong(String body, int status, String detail)
      throws Exception {
    Answer a = query(body);
    assertEquals(status, a.status(), () -> "body: " + a.body());
    assertTrue(a.contentType().startsWith("application/problem+json"), a.contentType());
    assertTrue(a.body().get("detail").asText().startsWith(detail),
        () -> "detail: " + a.body().get("detail"));
  }

  @Test
  void queriesBeyondTheNodesConcurrencyAreA429() throws Exception {
    backend.readGate = new java.util.concurrent.CompletableFuture<>();
    backend.readsStarted.set(0);
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> running = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        running.add(client.sendAsync(
            HttpRequest.newBuilder(URI.create(base + "/v1/topics/orders/query"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"sql\":\"SELECT * FROM orders\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      // Each of the four reads its three partitions' first pages, and waits.
      while (backend.readsStarted.get() < 12) {
        assertTrue(System.nanoTime() < deadline, "the four queries are reading");
        Thread.sleep(10);
      }
      HttpResponse<String> refused = client.send(
          HttpRequest.newBuilder(URI.create(base + "/v1/topics/orders/query"))
              .POST(HttpRequest.BodyPublishers.ofString("{\"sql\":\"SELECT * FROM orders\"}"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(429, refused.statusCode(), refused::body);
      assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
    } finally {
      backend.readGate.complete(null);
    }
    for (var r : running) {
      assertEquals(200, r.get(10, TimeUnit.SECONDS).statusCode());
    }
    assertEquals(200, query("{\"sql\":\"SELECT * FROM orders\"}").status(), "room again");
  }

  @Test
  void anUnknownTopicIsA404() throws Exception {
    Answer a = call("POST", "/v1/topics/nope/query", "{\"sql\":\"SELECT * FROM nope\"}");
    assertEquals(404, a.status(), () -> "body: " + a.body());
    assertTrue(a.contentType().startsWith("application/problem+json"), a.contentType());
  }

  static Answer call(String method, String path, String body) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
        .method(method, HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json")
        .build();
    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
        r.body().isEmpty() ? null : Json.MAPPER.readTree(r.body()));
  }

  private static Answer put(String topic, String query) throws Exception {
    ObjectNode body = Json.MAPPER.createObjectNode().put("topic", topic);
    if (query != null) {
      body.put("query", query);
    }
    return call("PUT", "/v1/subscriptions/q1", body.toString());
  }

  @Test
  void aValidQueryIsKeptAndShown() throws Exception {
    String sql = "SELECT data.symbol, data.price FROM orders WHERE data.price > 100"
        + " AND key LIKE 'NAS%' AND partition = 1 AND offset >= 0";
    Answer a = put("orders", sql);
    assertEquals(201, a.status(), () -> "body: " + a.body());
    assertEquals(sql, a.body().get("query").asText());
    Answer none = put("orders", null);
    assertEquals(201, none.status());
    assertTrue(!none.body().has("query"), "no query, no field");
    assertEquals(201, put("orders-eu", "SELECT * FROM \"orders-eu\"").status());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "SELECT * FROM orders WHERE data.x = = 1        | line 1, column 35",
        "SELECT * FROM orders\\nWHERE nope(data.x) > 1   | line 2, column 7: unknown function",
        "SELECT * FROM orders WHERE key > 5             | line 1, column 28: cannot compare",
        "SELECT * FROM ticks                            | line 1, column 15: FROM names topic 'ticks'",
        "SELECT * FROM orders WHERE offset LIKE 'a%'    | line 1, column 28: LIKE needs a string",
      })
  void anInvalidQueryIsA400WithItsPosition(String sql, String detail) throws Exception {
    Answer a = put("orders", sql.replace("\\n", "\n"));
    assertEquals(400, a.status(), () -> "body: " + a.body());
    assertTrue(a.contentType().startsWith("application/problem+json"), a.contentType());
    assertTrue(a.body().get("detail").asText().startsWith("query: " + detail),
        () -> "detail: " + a.body().get("detail"));
    assertEquals("query", a.body().get("errors").get(0).get("field").asText());
  }

  @Test
  void aQueryMustBeText() throws Exception {
    assertEquals(400, call("PUT", "/v1/subscriptions/q1",
        "{\"topic\":\"orders\",\"query\":5}").status());
    assertEquals(400, put("orders", "").status());
    assertEquals(400, put("orders", "SELECT * FROM orders WHERE key = '"
        + "x".repeat(Queries.MAX_LENGTH) + "'").status());
  }

  @Test
  void aWindowedAggregationIsASubscriptionQuery() throws Exception {
    String sql = "SELECT data.vehicle, COUNT(*), AVG(data.weight) FROM orders"
        + " GROUP BY data.vehicle, TUMBLE(publishTime, INTERVAL '1' MINUTE)";
    Answer a = put("orders", sql);
    assertEquals(201, a.status(), () -> "body: " + a.body());
    assertEquals(sql, a.body().get("query").asText());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "SELECT COUNT(*) FROM orders                                        | window",
        "SELECT key, COUNT(*) FROM orders GROUP BY key                      | window",
        "SELECT COUNT(DISTINCT key) FROM orders GROUP BY TUMBLE(publishTime, INTERVAL '1' MINUTE) | DISTINCT",
      })
  void anAggregationThatCouldNotBeBoundedIsA400(String sql, String reason) throws Exception {
    Answer a = put("orders", sql);
    assertEquals(400, a.status(), () -> "body: " + a.body());
    assertTrue(a.contentType().startsWith("application/problem+json"), a.contentType());
    assertTrue(a.body().get("detail").asText().startsWith("query: line 1, column "),
        () -> "detail: " + a.body().get("detail"));
    assertTrue(a.body().get("detail").asText().contains(reason),
        () -> "detail: " + a.body().get("detail"));
  }
}
