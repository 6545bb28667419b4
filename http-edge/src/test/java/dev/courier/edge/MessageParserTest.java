package dev.courier.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.courier.protocol.topic.NewMessage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageParserTest {
  private static final EdgeSettings SETTINGS = EdgeSettings.fromConfig(ConfigFactory.load());
  private final MessageParser parser = new MessageParser(SETTINGS);

  private NewMessage one(String body) {
    List<NewMessage> m = parser.parse(body);
    assertEquals(1, m.size());
    return m.get(0);
  }

  private Problem problem(String body) {
    return assertThrows(ProblemException.class, () -> parser.parse(body)).problem();
  }

  @Test
  void dataIsKeptExactlyAsSent() {
    String[] values = {
      "12.50", "-0.0", "1e400", "123456789012345678901234567890.123456789", "\"caf\\u00e9 \\\"q\\\"\"",
      "true", "false", "null", "{ \"a\" : [1, 2.0, {\"b\": null}] }", "[]", "{}", "[ \"x\" ,\t 3 ]",
      "\"\"", "0"
    };
    for (String v : values) {
      assertEquals(v, one("{\"id\":\"a\",\"data\":" + v + "}").data(), v);
      assertEquals(v, one("{\"data\":" + v + ", \"id\":\"a\"}").data(), "followed by a field: " + v);
      assertEquals(v, one("{\"data\":" + v + "}").data(), "last in its object: " + v);
      assertEquals(v, parser.parse("{\"messages\":[{\"data\":" + v + "},{\"data\":1}]}").get(0).data(),
          "in a batch: " + v);
    }
  }

  @Test
  void lineBreaksBetweenTokensBecomeSpacesSoDataFitsOneSseLine() {
    assertEquals("{    \"a\": [1,  2],   \"b\": \"x\\ny\" }",
        one("{\"data\":{\r\n  \"a\": [1,\n 2],\n  \"b\": \"x\\ny\"\r}}").data());
  }

  @Test
  void readsEveryFieldOfABatchInOrder() {
    List<NewMessage> m = parser.parse("""
        {"messages": [
          {"id": "o-1", "key": "acct-7", "data": {"amount": 12.50}, "attributes": {"region": "eu"}},
          {"data": 2, "key": null, "attributes": null}
        ]}""");
    assertEquals(2, m.size());
    assertEquals("o-1", m.get(0).id());
    assertTrue(m.get(0).clientId());
    assertEquals("acct-7", m.get(0).key());
    assertEquals("{\"amount\": 12.50}", m.get(0).data());
    assertEquals(Map.of("region", "eu"), m.get(0).attributes());
    assertFalse(m.get(1).clientId(), "no id: the server chose one");
    assertEquals(26, m.get(1).id().length());
    assertNull(m.get(1).key());
    assertEquals(Map.of(), m.get(1).attributes());
  }

  @Test
  void badBodiesNameTheField() {
    assertEquals("messages[1].key", problem("{\"messages\":[{\"data\":1},{\"data\":2,\"key\":7}]}")
        .errors().get(0).field());
    assertEquals("data", problem("{\"id\":\"a\"}").errors().get(0).field());
    assertEquals("messages[0].data", problem("{\"messages\":[{\"id\":\"a\"}]}").errors().get(0).field());
    assertEquals("id", problem("{\"id\":\"\",\"data\":1}").errors().get(0).field());
    assertEquals("colour", problem("{\"data\":1,\"colour\":\"red\"}").errors().get(0).field());
    assertEquals("id", problem("{\"id\":\"a\",\"messages\":[{\"data\":1}]}").errors().get(0).field(),
        "a batch has no other fields, whichever comes first");
    assertEquals("id", problem("{\"messages\":[{\"data\":1}],\"id\":\"a\"}").errors().get(0).field());
    assertEquals("messages", problem("{\"messages\":[]}").errors().get(0).field());
    assertEquals("messages", problem("{\"messages\":{}}").errors().get(0).field());
    assertEquals("messages[0]", problem("{\"messages\":[7]}").errors().get(0).field());
    assertEquals("body", problem("[1]").errors().get(0).field());
    assertEquals("attributes.n", problem("{\"data\":1,\"attributes\":{\"n\":1}}").errors().get(0).field());
    assertEquals("attributes", problem("{\"data\":1,\"attributes\":[]}").errors().get(0).field());
  }

  @Test
  void malformedJsonSaysWhere() {
    for (String body : new String[] {"{\"data\": tru}", "{\"data\":1", "{\"data\":1} x", "{\"data\":[1,}",
        "{\"data\":1}{}", ""}) {
      Problem p = problem(body);
      assertEquals(400, p.status(), body);
      assertTrue(body.isEmpty() || p.detail().startsWith("malformed JSON at line 1"), p.detail());
    }
  }

  @Test
  void limitsAre413() {
    StringBuilder many = new StringBuilder("{\"messages\":[");
    for (int i = 0; i <= SETTINGS.maxBatchMessages(); i++) {
      many.append(i > 0 ? "," : "").append("{\"data\":1}");
    }
    assertEquals(413, problem(many.append("]}").toString()).status());
    String big = "\"" + "x".repeat(SETTINGS.maxMessageBytes()) + "\"";
    assertEquals(413, problem("{\"data\":" + big + "}").status());
  }

  @Test
  void theMessageLimitCountsUtf8Bytes() {
    // Half the limit in characters, but three bytes each: over the limit on the wire.
    String wide = "\"" + "\u4e2d".repeat(SETTINGS.maxMessageBytes() / 2) + "\"";
    assertEquals(413, problem("{\"data\":" + wide + "}").status());
    String fits = "\"" + "\u4e2d".repeat(SETTINGS.maxMessageBytes() / 3 - 10) + "\"";
    assertEquals(1, new MessageParser(SETTINGS).parse("{\"data\":" + fits + "}").size());
  }
}
