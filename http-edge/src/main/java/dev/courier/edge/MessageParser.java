package dev.courier.edge;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.courier.protocol.topic.NewMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a publish body (one message, or {"messages": [...]}) into validated messages. Checks every
 * message before anything is stored, so a rejected batch stores nothing.
 *
 * <p>The body is read as a token stream, never as a tree, and each message's {@code data} is kept
 * as the text the producer sent: numbers keep every digit ({@code 12.50} stays {@code 12.50}, a
 * 30-digit decimal is not rounded to a double), and nothing is parsed into objects only to be
 * written out again. Only line breaks between tokens become spaces.
 */
public final class MessageParser {
  static final int MAX_ID_LENGTH = 256;
  static final int MAX_KEY_LENGTH = 1024;
  static final int MAX_ATTRIBUTES = 64;
  static final int MAX_ATTRIBUTE_NAME = 256;
  static final int MAX_ATTRIBUTE_VALUE = 4096;
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuv".toCharArray();

  private final EdgeSettings settings;

  public MessageParser(EdgeSettings settings) {
    this.settings = settings;
  }

  /** Parses a publish body; malformed JSON is a 400 naming line and column. */
  public List<NewMessage> parse(String body) {
    if (body == null || body.isBlank()) {
      throw new ProblemException(Problem.invalid("request body is empty; send a JSON object", null));
    }
    try (JsonParser p = Json.FACTORY.createParser(body)) {
      List<NewMessage> messages = root(p, body);
      if (p.nextToken() != null) {
        throw new ProblemException(
            Problem.invalid("malformed JSON" + where(p.currentTokenLocation())
                + ": trailing content after the body's JSON value", null));
      }
      return messages;
    } catch (JsonProcessingException e) {
      throw new ProblemException(
          Problem.invalid("malformed JSON" + where(e.getLocation()) + ": " + e.getOriginalMessage(),
              null));
    } catch (IOException e) {
      throw new ProblemException(Problem.invalid("unreadable body", null));
    }
  }

  private static String where(JsonLocation at) {
    return at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
  }

  /**
   * The root object: a batch when it has a {@code messages} field (and then nothing else), else a
   * single message. Which it is shows only once every field was seen, so the single message's
   * fields are read as they come and refused if {@code messages} turns up.
   */
  private List<NewMessage> root(JsonParser p, String body) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      skipValue(p);
      throw new ProblemException(Problem.invalidField("body", "must be a JSON object"));
    }
    Fields single = new Fields("");
    List<NewMessage> batch = null;
    String otherField = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      if (name.equals("messages")) {
        batch = batch(p, body);
      } else {
        if (otherField == null) {
          otherField = name;
        }
        if (batch == null) {
          single.read(p, body, name);
        } else {
          skipValue(p);
        }
      }
      if (batch != null && otherField != null) {
        throw new ProblemException(Problem.invalidField(otherField, "unknown field"));
      }
    }
    return batch != null ? batch : List.of(single.message(settings));
  }

  private List<NewMessage> batch(JsonParser p, String body) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      skipValue(p);
      throw new ProblemException(
          Problem.invalidField("messages", "must be a non-empty array of message objects"));
    }
    List<NewMessage> messages = new ArrayList<>();
    long total = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      int i = messages.size();
      if (i == settings.maxBatchMessages()) {
        throw new ProblemException(
            Problem.of(413, "Payload too large",
                "a batch holds at most " + settings.maxBatchMessages() + " messages, got more"));
      }
      String prefix = "messages[" + i + "].";
      if (p.currentToken() != JsonToken.START_OBJECT) {
        skipValue(p);
        throw new ProblemException(Problem.invalidField("messages[" + i + "]", "must be a JSON object"));
      }
      Fields fields = new Fields(prefix);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        fields.read(p, body, name);
      }
      NewMessage m = fields.message(settings);
      total += m.weight();
      if (total > settings.maxBatchBytes()) {
        throw new ProblemException(
            Problem.of(413, "Payload too large",
                "a batch holds at most " + settings.maxBatchBytes() + " bytes"));
      }
      messages.add(m);
    }
    if (messages.isEmpty()) {
      throw new ProblemException(
          Problem.invalidField("messages", "must be a non-empty array of message objects"));
    }
    return messages;
  }

  /** One message's fields as they are read, checked as they come. */
  private static final class Fields {
    private final String prefix;
    private String id;
    private String key;
    private String data;
    private Map<String, String> attributes = Map.of();

    Fields(String prefix) {
      this.prefix = prefix;
    }

    /** Reads the value of field {@code name}, the parser on its first token. */
    void read(JsonParser p, String body, String name) throws IOException {
      switch (name) {
        case "id" -> id = optionalText(p, "id", MAX_ID_LENGTH);
        case "key" -> key = optionalText(p, "key", MAX_KEY_LENGTH);
        case "data" -> data = rawValue(p, body);
        case "attributes" -> attributes = attributes(p);
        default -> throw new ProblemException(Problem.invalidField(prefix + name, "unknown field"));
      }
    }

    private String optionalText(JsonParser p, String field, int maxLength) throws IOException {
      JsonToken t = p.currentToken();
      if (t == JsonToken.VALUE_NULL) {
        return null;
      }
      if (t != JsonToken.VALUE_STRING) {
        throw new ProblemException(Problem.invalidField(prefix + field, "must be a string"));
      }
      String text = p.getText();
      if (text.isEmpty() || text.length() > maxLength) {
        throw new ProblemException(
            Problem.invalidField(prefix + field, "must be 1 to " + maxLength + " characters"));
      }
      return text;
    }

    private Map<String, String> attributes(JsonParser p) throws IOException {
      String field = prefix + "attributes";
      if (p.currentToken() == JsonToken.VALUE_NULL) {
        return Map.of();
      }
      if (p.currentToken() != JsonToken.START_OBJECT) {
        throw new ProblemException(Problem.invalidField(field, "must be an object of strings"));
      }
      Map<String, String> out = new HashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        if (p.nextToken() != JsonToken.VALUE_STRING) {
          throw new ProblemException(Problem.invalidField(field + "." + name, "must be a string"));
        }
        String value = p.getText();
        if (name.isEmpty() || name.length() > MAX_ATTRIBUTE_NAME
            || value.length() > MAX_ATTRIBUTE_VALUE) {
          throw new ProblemException(
              Problem.invalidField(field + "." + name,
                  "names are 1 to " + MAX_ATTRIBUTE_NAME + " characters, values at most "
                      + MAX_ATTRIBUTE_VALUE));
        }
        out.put(name, value);
        if (out.size() > MAX_ATTRIBUTES) {
          throw new ProblemException(
              Problem.invalidField(field, "at most " + MAX_ATTRIBUTES + " attributes"));
        }
      }
      return out;
    }

    NewMessage message(EdgeSettings settings) {
      if (data == null) {
        throw new ProblemException(Problem.invalidField(prefix + "data", "is required"));
      }
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
  }

  /**
   * The current value's text exactly as it stands in the body (the parser on its first token,
   * left on its last): the value is checked by reading it, and its characters are copied once.
   */
  private static String rawValue(JsonParser p, String body) throws IOException {
    int start = (int) p.currentTokenLocation().getCharOffset();
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      p.skipChildren();
    } else {
      // A string's or number's end is only known once it has been read whole.
      p.finishToken();
    }
    int end = (int) p.currentLocation().getCharOffset();
    return oneLine(body.substring(start, end));
  }

  /**
   * The value with its line breaks made spaces. In valid JSON a raw CR or LF can only be
   * whitespace between tokens (inside a string it must be escaped), so this changes no value, and
   * the data then fits on an SSE event's one {@code data:} line.
   */
  private static String oneLine(String value) {
    if (value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      return value;
    }
    return value.replace('\n', ' ').replace('\r', ' ');
  }

  private static void skipValue(JsonParser p) throws IOException {
    if (p.currentToken() != null) {
      p.skipChildren();
    }
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
