package dev.courier.node.it;

import static dev.courier.node.it.TestNode.HTTP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.courier.client.HttpAnswer;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** GET /v1/topics/{topic}/latest?key= on the real Cassandra: read-your-writes, newest wins. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LatestIT extends OneNodeIT {

  private static String newTopic() {
    String topic = "latest-" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(201, HTTP.request("PUT",
        url + "/v1/topics/" + topic, "{\"partitions\":3}").status());
    return topic;
  }

  private static JsonNode publish(String topic, String body) {
    HttpAnswer r = HTTP.request("POST", url + "/v1/topics/" + topic + "/messages", body);
    assertEquals(200, r.status(), () -> r.body());
    return r.json().get("results");
  }

  private static HttpAnswer latest(String topic, String key) {
    return HTTP.request("GET", url + "/v1/topics/" + topic + "/latest?key=" + key);
  }

  @Test
  void eachKeyAnswersItsNewestMessageRightAfterThePublish() {
    String topic = newTopic();
    publish(topic, "{\"messages\":["
        + "{\"id\":\"a1\",\"key\":\"a\",\"data\":{\"v\":1},\"attributes\":{\"type\":\"created\"}},"
        + "{\"id\":\"b1\",\"key\":\"b\",\"data\":[\"x\",2]},"
        + "{\"id\":\"a2\",\"key\":\"a\",\"data\":{\"v\":2}},"
        + "{\"id\":\"n1\",\"data\":0}]}");

    HttpAnswer a = latest(topic, "a");
    assertEquals(200, a.status(), () -> a.body());
    assertEquals("a2", a.json().get("id").asText(), "the later of two in one batch");
    assertEquals("a", a.json().get("key").asText());
    assertEquals("{\"v\":2}", a.json().get("data").toString());
    assertTrue(a.json().get("publishTime").isTextual());
    assertTrue(a.json().get("attributes").isEmpty());
    HttpAnswer b = latest(topic, "b");
    assertEquals("b1", b.json().get("id").asText());
    assertEquals("[\"x\",2]", b.json().get("data").toString());

    JsonNode result = publish(topic,
        "{\"id\":\"a3\",\"key\":\"a\",\"data\":{\"v\":3},\"attributes\":{\"type\":\"updated\"}}")
        .get(0);
    HttpAnswer newer = latest(topic, "a");
    assertEquals(200, newer.status());
    assertEquals("a3", newer.json().get("id").asText(), "a later publish overwrites the older");
    assertEquals(result.get("partition").asInt(), newer.json().get("partition").asInt());
    assertEquals(result.get("offset").asLong(), newer.json().get("offset").asLong());
    assertEquals("updated", newer.json().get("attributes").get("type").asText());
    assertEquals("b1", latest(topic, "b").json().get("id").asText(), "other keys unchanged");
  }

  @Test
  void aDuplicateDoesNotMoveTheLatest() {
    String topic = newTopic();
    publish(topic, "{\"id\":\"x1\",\"key\":\"k\",\"data\":1}");
    publish(topic, "{\"id\":\"x2\",\"key\":\"k\",\"data\":2}");
    JsonNode again = publish(topic, "{\"id\":\"x1\",\"key\":\"k\",\"data\":1}").get(0);
    assertTrue(again.get("duplicate").asBoolean());
    assertEquals("x2", latest(topic, "k").json().get("id").asText());
  }

  @Test
  void unknownKeysAndTopicsAre404AndBadKeys400() {
    String topic = newTopic();
    publish(topic, "{\"key\":\"present\",\"data\":1}");
    HttpAnswer unknownKey = latest(topic, "absent");
    assertEquals(404, unknownKey.status());
    assertTrue(unknownKey.contentType().startsWith("application/problem+json"));
    assertEquals(404, latest("no-such-topic-" + UUID.randomUUID(), "present").status());
    assertEquals(400, HTTP.request("GET", url + "/v1/topics/" + topic + "/latest").status());
    assertEquals(400, latest(topic, "").status());
  }
}
