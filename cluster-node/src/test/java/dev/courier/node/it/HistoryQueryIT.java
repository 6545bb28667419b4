package dev.courier.node.it;

import static dev.courier.node.it.SlowConsumerIT.topic;
import static dev.courier.node.it.SlowConsumerIT.unique;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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

  private static Http.Response query(String topic, String body) {
    return Http.post(node.url() + "/v1/topics/" + topic + "/query", body);
  }

  private static String sql(String sql) throws Exception {
    return Http.JSON.writeValueAsString(sql);
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
      assertEquals(200, Http.post(node.url() + "/v1/topics/" + topic + "/messages",
          b.append("]}").toString()).status());
    }
    Instant afterAll = Instant.now();

    Http.Response all = query(topic, "{\"sql\":" + sql("SELECT data.i, key, partition, offset"
        + " FROM \"" + topic + "\" WHERE data.tag = 'seven'") + "}");
    assertEquals(200, all.status(), () -> String.valueOf(all.body()));
    assertEquals(2400, all.body().get("scanned").asLong());
    assertEquals(false, all.body().get("truncated").asBoolean());
    List<Integer> is = new ArrayList<>();
    for (JsonNode row : all.body().get("rows")) {
      is.add(row.get("i").asInt());
      assertEquals("k" + (row.get("i").asInt() % 10), row.get("key").asText());
      assertTrue(row.get("offset").asLong() >= 0 && row.get("partition").asInt() < 3);
    }
    assertEquals(343, is.size());
    assertTrue(is.stream().allMatch(i -> i % 7 == 0));

    Http.Response limited = query(topic, "{\"sql\":" + sql("SELECT * FROM \"" + topic + "\"")
        + ",\"limit\":100}");
    assertEquals(100, limited.body().get("rows").size());
    assertEquals(true, limited.body().get("truncated").asBoolean());
    JsonNode record = limited.body().get("rows").get(0);
    assertEquals(topic, record.get("topic").asText());
    assertTrue(record.get("id").asText().startsWith("h-") && record.get("data").has("i"));

    Http.Response none = query(topic, "{\"sql\":" + sql("SELECT * FROM \"" + topic + "\"")
        + ",\"from\":\"" + afterAll.plusSeconds(60) + "\"}");
    assertEquals(0, none.body().get("rows").size());
    assertEquals(0, none.body().get("scanned").asLong());

    Http.Response counted = query(topic, "{\"sql\":" + sql("SELECT data.tag, COUNT(*) AS n FROM \""
        + topic + "\" GROUP BY data.tag, TUMBLE(publishTime, INTERVAL '1' DAY)") + "}");
    assertEquals(200, counted.status(), () -> String.valueOf(counted.body()));
    long total = 0;
    for (JsonNode row : counted.body().get("rows")) {
      total += row.get("n").asLong();
    }
    assertEquals(2400, total, () -> "rows: " + counted.body());

    Http.Response bad = query(topic, "{\"sql\":" + sql("SELECT * FROM \"" + topic + "\"\n"
        + "WHERE data.i > = 3") + "}");
    assertEquals(400, bad.status());
    assertTrue(bad.body().get("detail").asText().startsWith("sql: line 2, column"),
        () -> String.valueOf(bad.body()));
    String missing = unique("missing");
    assertEquals(404,
        query(missing, "{\"sql\":" + sql("SELECT * FROM \"" + missing + "\"") + "}").status());
  }
}
