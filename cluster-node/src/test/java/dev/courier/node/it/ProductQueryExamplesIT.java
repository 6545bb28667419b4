package dev.courier.node.it;

import static dev.courier.node.it.SlowConsumerIT.unique;
import static dev.courier.node.it.TestNode.HTTP;
import static dev.courier.node.it.TestNode.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.HttpAnswer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every query example of PRODUCT.md's "Queries" section, as written (topics orders, ticks, bridge
 * and "orders-eu"), through {@code PUT /v1/subscriptions} and, for filters and projections,
 * through delivery; the windowed aggregation through a query over history.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ProductQueryExamplesIT {
  private static TestNode node;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** The topic, whatever its settings if an earlier run or a user created it already. */
  private static void topic(String name) {
    int status = HTTP.request("PUT", node.url() + "/v1/topics/" + name, "{}").status();
    assertTrue(status == 201 || status == 200 || status == 409, "topic " + name + ": " + status);
  }

  /** A subscription of {@code topic} from now on with {@code query}; its name. */
  private static String subscribe(String topic, String query) throws Exception {
    String sub = unique(topic + "-example");
    HttpAnswer r = HTTP.request("PUT", node.url() + "/v1/subscriptions/" + sub,
        "{\"topic\":\"" + topic + "\",\"startAt\":\"latest\",\"query\":"
            + JSON.writeValueAsString(query) + "}");
    assertEquals(201, r.status(), () -> r.body());
    assertEquals(query, r.json().get("query").asText());
    return sub;
  }

  /** Publishes {@code messages} (JSON objects without ids), ids unique to this run. */
  private void publish(String topic, String... messages) {
    StringBuilder b = new StringBuilder("{\"messages\":[");
    for (int i = 0; i < messages.length; i++) {
      b.append(i > 0 ? "," : "").append("{\"id\":\"").append(run).append('-').append(i)
          .append("\",").append(messages[i].substring(1));
    }
    HttpAnswer r = HTTP.request("POST", node.url() + "/v1/topics/" + topic + "/messages",
        b.append("]}").toString());
    assertEquals(200, r.status(), () -> r.body());
  }

  /** Long-polls {@code count} records, acking them, then checks nothing else waits. */
  private static List<JsonNode> poll(String sub, int count) {
    List<JsonNode> got = new ArrayList<>();
    while (got.size() < count) {
      JsonNode messages = HTTP.request("GET", node.url() + "/v1/subscriptions/" + sub
          + "/messages?max=100&wait=PT5S").json().get("messages");
      List<String> ackIds = new ArrayList<>();
      messages.forEach(m -> {
        got.add(m);
        ackIds.add(m.get("ackId").asText());
      });
      if (!ackIds.isEmpty()) {
        HTTP.request("POST", node.url() + "/v1/subscriptions/" + sub + "/ack",
            JSON.createObjectNode().set("ackIds", JSON.valueToTree(ackIds)).toString());
      }
    }
    JsonNode more = HTTP.request("GET", node.url() + "/v1/subscriptions/" + sub
        + "/messages?max=100&wait=PT1S").json().get("messages");
    assertEquals(0, more.size(), () -> "nothing else passes: " + more);
    return got;
  }

  private static java.util.Set<JsonNode> datas(List<JsonNode> records) {
    java.util.Set<JsonNode> out = new java.util.HashSet<>();
    records.forEach(r -> out.add(r.get("data")));
    return out;
  }

  @Test
  void theSubscriptionBodysFilter() throws Exception {
    topic("orders");
    String sub = subscribe("orders", "SELECT * FROM orders WHERE data.amount > 100");
    publish("orders", "{\"data\":{\"amount\":50}}", "{\"data\":{\"amount\":150}}",
        "{\"data\":{\"amount\":100}}", "{\"data\":{\"note\":\"no amount\"}}",
        "{\"data\":\"not an object\"}", "{\"data\":{\"amount\":100.5}}");
    assertEquals(
        java.util.Set.of(JSON.readTree("{\"amount\":150}"),
            JSON.readTree("{\"amount\":100.5}")),
        datas(poll(sub, 2)), "the topic may have partitions: in any order");
  }

  @Test
  void filterAndProject() throws Exception {
    topic("ticks");
    String sub = subscribe("ticks",
        "SELECT data.symbol, data.price FROM ticks WHERE data.price > 100 AND key LIKE 'NAS%'");
    publish("ticks",
        "{\"key\":\"NAS-ACME\",\"data\":{\"symbol\":\"ACME\",\"price\":120.5,\"volume\":3}}",
        "{\"key\":\"NYS-ACME\",\"data\":{\"symbol\":\"ACME\",\"price\":500}}",
        "{\"key\":\"NAS-ZZZ\",\"data\":{\"symbol\":\"ZZZ\",\"price\":90}}",
        "{\"data\":{\"symbol\":\"NOKEY\",\"price\":900}}",
        "{\"key\":\"NAS-BIG\",\"data\":{\"symbol\":\"BIG\",\"price\":101}}");
    List<JsonNode> got = poll(sub, 2);
    assertEquals(
        java.util.Set.of(JSON.readTree("{\"symbol\":\"ACME\",\"price\":120.5}"),
            JSON.readTree("{\"symbol\":\"BIG\",\"price\":101}")),
        datas(got));
    got.forEach(m -> assertTrue(m.get("key").asText().startsWith("NAS-"), m::toString));
  }

  @Test
  void aTopicNameThatIsNotAPlainIdentifierIsDoubleQuoted() throws Exception {
    topic("orders-eu");
    String sub = subscribe("orders-eu", "SELECT * FROM \"orders-eu\"");
    publish("orders-eu", "{\"data\":{\"n\":1}}");
    assertEquals(1, poll(sub, 1).get(0).get("data").get("n").asInt());
    HttpAnswer unquoted = HTTP.request("PUT", node.url() + "/v1/subscriptions/" + unique("eu"),
        "{\"topic\":\"orders-eu\",\"query\":\"SELECT * FROM orders-eu\"}");
    assertEquals(400, unquoted.status());
    assertTrue(unquoted.json().get("detail").asText().startsWith("query: line 1, column "));
  }

  @Test
  void theWindowedAggregationOverHistoryAndAsASubscription() throws Exception {
    String sql = "SELECT data.vehicle, COUNT(*), AVG(data.weight) FROM bridge\n"
        + "  GROUP BY data.vehicle, TUMBLE(publishTime, INTERVAL '1' MINUTE)";
    topic("bridge");
    HttpAnswer put = HTTP.request("PUT", node.url() + "/v1/subscriptions/" + unique("bridge"),
        "{\"topic\":\"bridge\",\"query\":" + JSON.writeValueAsString(sql) + "}");
    assertEquals(201, put.status(), () -> put.body());
    assertEquals(sql, put.json().get("query").asText(), "delivered as AggregationDeliveryIT shows");
    HttpAnswer unbounded = HTTP.request("PUT", node.url() + "/v1/subscriptions/" + unique("bridge"),
        "{\"topic\":\"bridge\",\"query\":\"SELECT data.vehicle, COUNT(*) FROM bridge"
            + " GROUP BY data.vehicle\"}");
    assertEquals(400, unbounded.status(), "an aggregation without a window is never bounded");
    assertTrue(unbounded.contentType().startsWith("application/problem+json"));

    Instant from = Instant.now().minusMillis(1);
    publish("bridge", "{\"data\":{\"vehicle\":\"truck\",\"weight\":10}}",
        "{\"data\":{\"vehicle\":\"car\",\"weight\":1}}",
        "{\"data\":{\"vehicle\":\"truck\",\"weight\":20}}");
    Instant to = Instant.now().plusSeconds(1);
    HttpAnswer r = HTTP.request("POST", node.url() + "/v1/topics/bridge/query",
        "{\"sql\":" + JSON.writeValueAsString(sql) + ",\"from\":\"" + from + "\",\"to\":\""
            + to + "\"}");
    assertEquals(200, r.status(), () -> r.body());
    long trucks = 0;
    double weight = 0;
    for (JsonNode row : r.json().get("rows")) {
      assertTrue(row.has("windowStart") && row.has("windowEnd"), row::toString);
      if (row.get("vehicle").asText().equals("truck")) {
        trucks += row.get("count").asLong();
        weight += row.get("avg_weight").asDouble() * row.get("count").asLong();
      }
    }
    assertEquals(2, trucks, () -> "rows: " + r.body());
    assertEquals(30.0, weight, 1e-9);
    assertEquals(3, r.json().get("scanned").asLong());
  }
}
