package dev.courier.node.it;

import static dev.courier.node.it.SlowConsumerIT.topic;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ad-hoc queries over a topic's history page through the real segment log in Cassandra. */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HistoryQueryIT {
  private static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static HttpAnswer query(String topic, String body) {
    return HTTP.request("POST", node.url() + "/v1/topics/" + topic + "/query", body);
  }

  private static String sql(String sql) throws Exception {
    return JSON.writeValueAsString(sql);
  }

  @Test
  void aQueryStreamsThroughPagesOfTheLogWithinItsBounds() throws Exception {
    String topic = unique("history");
    topic(node.url(), topic, 3);
    // 2,400 messages (several pages per partition), i % 7 == 0 in 343 of them.
    for (int from = 0; from < 2400; from += 600) {
      StringBuilder b = new StringBuilder("{\"messages\":[");
      for (int i = from; i < from + 600; i++) {
        b.append(i > from ? "," : "").append("{\"id\":\"h-").append(i)
            .append("\",\"key\":\"k").append(i % 10).append("\",\"data\":{\"i\":").append(i)
            .append(",\"tag\":\"").append(i % 7 == 0 ? "seven" : "other").append("\"}}");
      }
      assertEquals(200, HTTP.request("POST", node.url() + "/v1/topics/" + topic + "/messages",
          b.append("]}").toString()).status());
    }
    Instant afterAll = Instant.now();

    HttpAnswer all = query(topic, "{\"sql\":" + sql("SELECT data.i, key, partition, offset"
        + " FROM \"" + topic + "\" WHERE data.tag = 'seven'") + "}");
    assertEquals(200, all.status(), () -> all.body());
    assertEquals(2400, all.json().get("scanned").asLong());
    assertEquals(false, all.json().get("truncated").asBoolean());
    List<Integer> is = new ArrayList<>();
    for (JsonNode row : all.json().get("rows")) {
      is.add(row.get("i").asInt());
      assertEquals("k" + (row.get("i").asInt() % 10), row.get("key").asText());
      assertTrue(row.get("offset").asLong() >= 0 && row.get("partition").asInt() < 3);
    }
    assertEquals(343, is.size());
    assertTrue(is.stream().allMatch(i -> i % 7 == 0));

    HttpAnswer limited = query(topic, "{\"sql\":" + sql("SELECT * FROM \"" + topic + "\"")
        + ",\"limit\":100}");
    assertEquals(100, limited.json().get("rows").size());
    assertEquals(true, limited.json().get("truncated").asBoolean());
    JsonNode record = limited.json().get("rows").get(0);
    assertEquals(topic, record.get("topic").asText());
    assertTrue(record.get("id").asText().startsWith("h-") && record.get("data").has("i"));

    HttpAnswer none = query(topic, "{\"sql\":" + sql("SELECT * FROM \"" + topic + "\"")
        + ",\"from\":\"" + afterAll.plusSeconds(60) + "\"}");
    assertEquals(0, none.json().get("rows").size());
    assertEquals(0, none.json().get("scanned").asLong());

    HttpAnswer counted = query(topic, "{\"sql\":" + sql("SELECT data.tag, COUNT(*) AS n FROM \""
        + topic + "\" GROUP BY data.tag, TUMBLE(publishTime, INTERVAL '1' DAY)") + "}");
    assertEquals(200, counted.status(), () -> counted.body());
    long total = 0;
    for (JsonNode row : counted.json().get("rows")) {
      total += row.get("n").asLong();
    }
    assertEquals(2400, total, () -> "rows: " + counted.body());

    HttpAnswer bad = query(topic, "{\"sql\":" + sql("SELECT * FROM \"" + topic + "\"\n"
        + "WHERE data.i > = 3") + "}");
    assertEquals(400, bad.status());
    assertTrue(bad.json().get("detail").asText().startsWith("sql: line 2, column"),
        () -> bad.body());
    String missing = unique("missing");
    assertEquals(404,
        query(missing, "{\"sql\":" + sql("SELECT * FROM \"" + missing + "\"") + "}").status());
  }
}
