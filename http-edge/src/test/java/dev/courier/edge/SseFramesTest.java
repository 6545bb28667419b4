package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.courier.protocol.subscription.Delivery;
import dev.courier.protocol.subscription.DeliveryRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SSE framing: one id, event and data line per message, whatever the message holds. */
class SseFramesTest {

  @Test
  void eachEventIsThreeLinesEvenWhenDataHoldsLineBreaks() throws Exception {
    var record =
        new DeliveryRecord("0-5", "m\n1", "t", 0, 5, "k\r", Instant.parse("2026-01-01T00:00:00Z"),
            Map.of("a", "x\ny"), Json.write(Map.of("text", "line1\nline2\r\n")), 1);
    String text =
        SseFrames.events(List.of(new Delivery(record, "6.0"), new Delivery(record, "7.0")),
                "abcdefgh")
            .utf8String();
    String[] lines = text.split("\n", -1);
    assertEquals(9, lines.length, text);
    assertEquals("id: 7.0~abcdefgh", lines[4]);
    assertEquals(lines[2], lines[6], "every event is written alike");
    assertEquals("id: 6.0~abcdefgh", lines[0]);
    assertEquals("event: message", lines[1]);
    assertEquals("", lines[3]);
    var parsed = Json.MAPPER.readTree(lines[2].substring("data: ".length()).getBytes());
    assertEquals("line1\nline2\r\n", parsed.get("data").get("text").asText());
    assertEquals("m\n1", parsed.get("id").asText());
  }
}
