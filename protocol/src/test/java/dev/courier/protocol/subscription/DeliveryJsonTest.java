package dev.courier.protocol.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeliveryJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant AT = Instant.parse("2026-11-30T12:00:00.123Z");

  private static DeliveryRecord record(String ackId, String data, long offset, int attempt) {
    return new DeliveryRecord(ackId, "o-1", "orders", 2, offset, "acct-7", AT,
        Map.of("region", "eu\"west"), data, attempt);
  }

  @Test
  void writesEveryFieldInTheContractsOrderWithDataVerbatim() throws Exception {
    String data = new String("{\"amount\": 12.50, \"note\": \"caf\\u00e9\"}");
    JsonNode r = JSON.readTree(DeliveryJson.write(record("2-41", data, 41, 1)));
    List<String> names = new ArrayList<>();
    r.fieldNames().forEachRemaining(names::add);
    assertEquals(List.of("ackId", "id", "topic", "partition", "offset", "key", "publishTime",
        "attributes", "data", "deliveryAttempt"), names);
    assertEquals("2-41", r.get("ackId").asText());
    assertEquals(41, r.get("offset").asLong());
    assertEquals("eu\"west", r.get("attributes").get("region").asText());
    assertEquals(JSON.readTree(data), r.get("data"));
    assertEquals("2026-11-30T12:00:00.123Z", r.get("publishTime").asText());
    assertEquals(1, r.get("deliveryAttempt").asInt());
  }

  @Test
  void aFrameLeadsWithItsType() throws Exception {
    JsonNode f = JSON.readTree(DeliveryJson.frame("message", record("2-41", new String("7"), 41, 3)));
    Iterator<String> names = f.fieldNames();
    assertEquals("type", names.next());
    assertEquals("message", f.get("type").asText());
    assertEquals(3, f.get("deliveryAttempt").asInt());
    assertEquals(7, f.get("data").asInt());
  }

  @Test
  void deliveriesOfOneMessageDifferOnlyInAckIdAndAttempt() throws Exception {
    String data = new String("{\"n\":1}");
    JsonNode first = JSON.readTree(DeliveryJson.write(record("2-41", data, 41, 1)));
    JsonNode again = JSON.readTree(DeliveryJson.write(record("x\"y", data, 41, 2)));
    assertEquals("x\"y", again.get("ackId").asText(), "an ack id is escaped, never shared");
    assertEquals(2, again.get("deliveryAttempt").asInt());
    ((com.fasterxml.jackson.databind.node.ObjectNode) first).remove(List.of("ackId", "deliveryAttempt"));
    ((com.fasterxml.jackson.databind.node.ObjectNode) again).remove(List.of("ackId", "deliveryAttempt"));
    assertEquals(first, again);
  }

  @Test
  void anotherMessageWithEqualDataIsEncodedForItself() throws Exception {
    String data = new String("{\"n\":1}");
    JsonNode a = JSON.readTree(DeliveryJson.write(record("2-41", data, 41, 1)));
    JsonNode b = JSON.readTree(DeliveryJson.write(record("2-42", data, 42, 1)));
    assertEquals(41, a.get("offset").asLong());
    assertEquals(42, b.get("offset").asLong(), "same data instance, other offset: not the cached one");
    JsonNode c = JSON.readTree(DeliveryJson.write(record("2-41", new String("{\"n\":2}"), 41, 1)));
    assertEquals(2, c.get("data").get("n").asInt(), "same position, other data: not the cached one");
    assertFalse(a.equals(c));
  }

  @Test
  void manyMessagesThroughTheCacheEachGetTheirOwnRecord() throws Exception {
    for (int i = 0; i < 20_000; i++) {
      String data = "{\"i\":" + i + "}";
      JsonNode r = JSON.readTree(DeliveryJson.write(record("2-" + i, data, i, 1)));
      assertEquals(i, r.get("data").get("i").asInt());
      assertEquals(i, r.get("offset").asLong());
      assertSame(null, r.get("type"));
    }
  }

  @Test
  void theUtf8FormIsTheSameRecordByteForByte() throws Exception {
    String big = "{\"text\":\"" + "é€😀x".repeat(DeliveryJson.CACHED_MAX_CHARS / 4) + "\"}";
    for (DeliveryRecord r :
        List.of(
            record("2-7", "{\"n\":\"ünï\"}", 7, 3),
            record("2-\"8\"\\", "[1,2]", 8, 1),
            record("2-9", big, 9, 2),
            record("2-9", big, 9, 2))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      DeliveryJson.writeUtf8(r, out);
      assertEquals(DeliveryJson.write(r), out.toString(StandardCharsets.UTF_8));
      assertEquals(r.ackId(), JSON.readTree(out.toByteArray()).get("ackId").asText());
    }
  }
}
