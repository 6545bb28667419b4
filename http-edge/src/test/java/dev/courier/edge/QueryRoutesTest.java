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
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A subscription's query is compiled at the edge: refusals carry their position, 4xx only. */
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
    backend.addTopic("orders", 3);
    backend.addTopic("orders-eu", 1);
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
  void aWindowedAggregationIsNotAvailableYet() throws Exception {
    Answer a = put("orders", "SELECT data.vehicle, COUNT(*), AVG(data.weight) FROM orders"
        + " GROUP BY data.vehicle, TUMBLE(publishTime, INTERVAL '1' MINUTE)");
    assertEquals(501, a.status(), () -> "body: " + a.body());
    assertTrue(a.contentType().startsWith("application/problem+json"), a.contentType());
    assertTrue(a.body().get("detail").asText().contains("aggregation"));
  }
}
