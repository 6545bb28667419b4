package dev.courier.edge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.courier.protocol.topic.NewMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a publish body (one message, or {"messages": [...]}) into validated messages. Checks every
 * message before anything is stored, so a rejected batch stores nothing.
 */
public final class MessageParser {
  static final int MAX_ID_LENGTH = 256;
  static final int MAX_KEY_LENGTH = 1024;
  static final int MAX_ATTRIBUTES = 64;
  static final int MAX_ATTRIBUTE_NAME = 256;
  static final int MAX_ATTRIBUTE_VALUE = 4096;
  private static final Set<String> FIELDS = Set.of("id", "key", "data", "attributes");
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuv".toCharArray();

  private final EdgeSettings settings;

  public MessageParser(EdgeSettings settings) {
    this.settings = settings;
  }

  public List<NewMessage> parse(JsonNode body) {
    ObjectNode root = Bodies.object(body, "body");
    if (root.has("messages")) {
      Bodies.onlyFields(root, "", Set.of("messages"));
      JsonNode array = root.get("messages");
      if (!array.isArray() || array.isEmpty()) {
        throw new ProblemException(
            Problem.invalidField("messages", "must be a non-empty array of message objects"));
      }
      if (array.size() > settings.maxBatchMessages()) {
        throw new ProblemException(
            Problem.of(413, "Payload too large",
                "a batch holds at most " + settings.maxBatchMessages() + " messages, got "
                    + array.size()));
      }
      List<NewMessage> messages = new ArrayList<>(array.size());
      long total = 0;
      for (int i = 0; i < array.size(); i++) {
        NewMessage m = message(array.get(i), "messages[" + i + "].");
        total += m.weight();
        messages.add(m);
      }
      if (total > settings.maxBatchBytes()) {
        throw new ProblemException(
            Problem.of(413, "Payload too large",
                "a batch holds at most " + settings.maxBatchBytes() + " bytes, got " + total));
      }
      return messages;
    }
    return List.of(message(root, ""));
  }

  private NewMessage message(JsonNode node, String prefix) {
    if (!(node instanceof ObjectNode o)) {
      throw new ProblemException(
          Problem.invalidField(prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1),
              "must be a JSON object"));
    }
    Bodies.onlyFields(o, prefix, FIELDS);
    String id = Bodies.optionalText(o, "id", prefix, MAX_ID_LENGTH);
    String key = Bodies.optionalText(o, "key", prefix, MAX_KEY_LENGTH);
    if (!o.has("data")) {
      throw new ProblemException(Problem.invalidField(prefix + "data", "is required"));
    }
    String data;
    try {
      data = Json.MAPPER.writeValueAsString(o.get("data"));
    } catch (JsonProcessingException e) {
      throw new ProblemException(Problem.invalidField(prefix + "data", "is not serialisable"));
    }
    Map<String, String> attributes = attributes(o.get("attributes"), prefix);
    boolean clientId = id != null;
    NewMessage m = new NewMessage(clientId ? id : newId(), key, data, attributes, clientId);
    if (m.weight() > settings.maxMessageBytes()) {
      throw new ProblemException(
          Problem.of(413, "Payload too large",
              prefix + "message is " + m.weight() + " bytes; the limit is "
                  + settings.maxMessageBytes()));
    }
    return m;
  }

  private static Map<String, String> attributes(JsonNode node, String prefix) {
    if (node == null || node.isNull()) {
      return Map.of();
    }
    String field = prefix + "attributes";
    if (!node.isObject()) {
      throw new ProblemException(Problem.invalidField(field, "must be an object of strings"));
    }
    if (node.size() > MAX_ATTRIBUTES) {
      throw new ProblemException(
          Problem.invalidField(field, "at most " + MAX_ATTRIBUTES + " attributes"));
    }
    Map<String, String> out = new HashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      var e = fields.next();
      if (!e.getValue().isTextual()) {
        throw new ProblemException(
            Problem.invalidField(field + "." + e.getKey(), "must be a string"));
      }
      if (e.getKey().isEmpty() || e.getKey().length() > MAX_ATTRIBUTE_NAME
          || e.getValue().textValue().length() > MAX_ATTRIBUTE_VALUE) {
        throw new ProblemException(
            Problem.invalidField(field + "." + e.getKey(),
                "names are 1 to " + MAX_ATTRIBUTE_NAME + " characters, values at most "
                    + MAX_ATTRIBUTE_VALUE));
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return out;
  }

  /** A server-chosen id: 130 random bits in base32, 26 characters. */
  static String newId() {
    byte[] bytes = new byte[17];
    java.util.concurrent.ThreadLocalRandom.current().nextBytes(bytes);
    char[] out = new char[26];
    long bits = 0;
    int available = 0;
    int b = 0;
    for (int i = 0; i < out.length; i++) {
      if (available < 5) {
        bits = (bits << 8) | (bytes[b++] & 0xff);
        available += 8;
      }
      out[i] = ALPHABET[(int) (bits >>> (available - 5)) & 31];
      available -= 5;
    }
    return new String(out);
  }
}
